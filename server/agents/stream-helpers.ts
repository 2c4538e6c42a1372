/**
 * Small pure helpers the stream parsers share: reading untyped JSON lines safely, summarizing a
 * tool call's input, and the verdict of a CLI that failed before its conversation ended.
 */
import type { LogEvent } from "@/lib/log-events";
import { classifyError, oneLine } from "./classify";
import type { RunVerdict } from "./types";

export type Json = Record<string, unknown>;

export const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
export const asNumber = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
export const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** One stdout line as a JSON object; undefined for blank, non-JSON or non-object lines. */
export function parseJsonLine(text: string): Json | undefined {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function rawStdout(line: string): LogEvent[] {
  return [{ kind: "raw", stream: "stdout", line }];
}

// Keys whose value says most about a tool call, best first (Claude, Gemini, Qwen and opencode names).
const SUMMARY_KEYS = ["file_path", "filePath", "notebook_path", "command", "pattern", "path", "absolute_path", "url", "query", "description", "prompt"];

/** A one-line summary of a tool's input: its most telling field, else the input as JSON. */
export function summarizeToolInput(input: unknown): string {
  const fields = asObject(input) ?? {};
  const key = SUMMARY_KEYS.find((name) => typeof fields[name] === "string" && fields[name] !== "");
  if (key) return oneLine(fields[key] as string);
  const json = JSON.stringify(input ?? {});
  return json === "{}" ? "" : oneLine(json);
}

export type Judgement = Omit<RunVerdict, "usage" | "cumulative">;

/** A failure of the CLI itself rather than of the model conversation: TOOL unless the text says more. */
export function cliFailure(reason: string, extra: Partial<RunVerdict> = {}): Judgement {
  const { errorClass, transient, quota } = classifyError(reason);
  return { status: "FAILED", errorClass: errorClass === "UNKNOWN" ? "TOOL" : errorClass, reason, transient, quota, ...extra };
}

/** A failed model conversation: classified from the CLI's final error text (and HTTP status if any). */
export function conversationFailure(message: string, httpStatus?: number | null): Judgement {
  const { errorClass, transient, quota } = classifyError(message, httpStatus);
  return { status: "FAILED", errorClass, reason: message, transient, quota };
}

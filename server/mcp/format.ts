/**
 * What MCP tool results look like: a short text for the model plus structured content, both
 * sized for a model's context. Pure: no I/O.
 */
import type { StoredLogEvent } from "@/lib/schemas/logs";

export const MAX_LOG_LINES = 20;
export const MAX_LOG_LINE_CHARS = 300;
export const DEFAULT_PATCH_CHARS = 20_000;
export const MAX_PATCH_CHARS = 100_000;

export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent: Record<string, unknown>;
  isError?: boolean;
}

export function toolResult(text: string, structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

export function toolError(code: string, message: string): ToolResult {
  return { content: [{ type: "text", text: `Error (${code}): ${message}` }], structuredContent: { error: { code, message } }, isError: true };
}

/** The text cut at `max` characters, and a note saying how much was left out, or null. */
export function cutText(text: string, max: number, more: string): { text: string; note: string | null } {
  if (text.length <= max) return { text, note: null };
  return { text: text.slice(0, max), note: `Cut at ${max} of ${text.length} characters; ${more}` };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_LOG_LINE_CHARS ? `${flat.slice(0, MAX_LOG_LINE_CHARS)}…` : flat;
}

/** One readable line per log event; events without text of their own (usage, line) give none. */
export function logLine(event: StoredLogEvent): string | null {
  switch (event.kind) {
    case "assistant":
      return `assistant: ${oneLine(event.text)}`;
    case "tool_call":
      return `tool ${event.name} [${event.status}]: ${oneLine(event.summary)}`;
    case "tool_result":
      return event.status === "error" || event.status === "denied" ? `tool result [${event.status}]: ${oneLine(event.output)}` : null;
    case "error":
      return `error${event.fatal ? " (fatal)" : ""}: ${oneLine(event.message)}`;
    case "system":
      return `system: ${oneLine(event.message)}`;
    case "raw":
      return `${event.stream}: ${oneLine(event.line)}`;
    default:
      return null;
  }
}

export function logLines(events: StoredLogEvent[]): string[] {
  return events.map(logLine).filter((line): line is string => line !== null).slice(-MAX_LOG_LINES);
}

/**
 * Gemini CLI `-o stream-json` to normalized log events and a verdict. Assistant text comes as
 * `delta` chunks, joined here into one event per stretch of text; `result.stats` covers this
 * invocation only (also after `--resume`), and Gemini reports no cost. Recorded transcripts:
 * tests/fixtures/transcripts/gemini-*.
 */
import { ZERO_USAGE, type LogEvent, type UsageFigures } from "@/lib/log-events";
import { oneLine, stderrReason } from "../classify";
import {
  asNumber,
  asObject,
  asString,
  cliFailure,
  conversationFailure,
  parseJsonLine,
  rawStdout,
  summarizeToolInput,
  type Json,
  type Judgement,
} from "../stream-helpers";
import type { AgentStreamParser } from "../types";

interface ParserState {
  sessionId?: string;
  result?: Json;
  /** Assistant text chunks not yet emitted. */
  text: string[];
  stderr: string[];
}

type Handler = (line: Json, state: ParserState) => LogEvent[] | undefined;

const SESSION_NOT_FOUND = /Error resuming session|Invalid session identifier|No previous sessions found/i;

function flushText(state: ParserState): LogEvent[] {
  const text = state.text.join("");
  state.text = [];
  return text.trim() ? [{ kind: "assistant", text }] : [];
}

function handleMessage(line: Json, state: ParserState): LogEvent[] | undefined {
  if (line.role === "user") return [];
  if (line.role !== "assistant") return undefined;
  const content = asString(line.content) ?? "";
  if (line.delta === true) {
    state.text.push(content);
    return [];
  }
  return [...flushText(state), ...(content ? [{ kind: "assistant" as const, text: content }] : [])];
}

function handleToolUse(line: Json, state: ParserState): LogEvent[] {
  return [
    ...flushText(state),
    {
      kind: "tool_call",
      id: asString(line.tool_id) ?? "",
      name: asString(line.tool_name) ?? "tool",
      summary: summarizeToolInput(line.parameters),
      status: "running",
    },
  ];
}

function handleToolResult(line: Json, state: ParserState): LogEvent[] {
  const error = asObject(line.error);
  const ok = line.status === "success";
  const output = asString(line.output) ?? asString(error?.message) ?? (ok ? "" : String(line.status ?? "error"));
  return [...flushText(state), { kind: "tool_result", id: asString(line.tool_id) ?? "", output, status: ok ? "ok" : "error" }];
}

function handleResult(line: Json, state: ParserState): LogEvent[] {
  state.result = line;
  const events: LogEvent[] = [...flushText(state), { kind: "usage", usage: geminiUsage(line) }];
  const error = asObject(line.error);
  if (line.status !== "success") events.push({ kind: "error", message: asString(error?.message) ?? "Gemini CLI ended with an error", fatal: true });
  return events;
}

const HANDLERS: Record<string, Handler> = {
  init: (line, state) => {
    const sessionId = asString(line.session_id);
    if (!sessionId) return undefined;
    state.sessionId = sessionId;
    return [{ kind: "session", sessionId }];
  },
  message: handleMessage,
  tool_use: handleToolUse,
  tool_result: handleToolResult,
  // Documented as non-fatal: the turn goes on.
  error: (line, state) => [...flushText(state), { kind: "error", message: asString(line.message) ?? JSON.stringify(line), fatal: false }],
  result: handleResult,
};

/**
 * This invocation's usage. `stats.input_tokens` includes the cached tokens; `stats.input` is the
 * uncached part (older versions lack it: then input_tokens - cached).
 */
export function geminiUsage(result: Json): UsageFigures {
  const stats = asObject(result.stats) ?? {};
  const cached = asNumber(stats.cached);
  const uncached = typeof stats.input === "number" ? asNumber(stats.input) : Math.max(0, asNumber(stats.input_tokens) - cached);
  return { inputTokens: uncached, outputTokens: asNumber(stats.output_tokens), cacheReadTokens: cached, cacheWriteTokens: 0, costUsd: 0 };
}

function judge(state: ParserState, exitCode: number | null): Judgement {
  const notFound = state.stderr.find((line) => SESSION_NOT_FOUND.test(line));
  if (notFound && !state.result) return cliFailure(oneLine(notFound, 500), { sessionNotFound: true });
  const result = state.result;
  // Gemini exits with the HTTP status modulo 256 (429 -> 173): the result line says what happened.
  if (!result) return cliFailure(stderrReason(state.stderr) ?? `Gemini CLI exited with code ${exitCode} without a result`);
  if (result.status !== "success") {
    const message = asString(asObject(result.error)?.message) ?? "Gemini CLI ended with an error";
    return conversationFailure(message);
  }
  if (exitCode !== 0) return cliFailure(stderrReason(state.stderr) ?? `Gemini CLI exited with code ${exitCode}`);
  return { status: "DONE" };
}

export function createGeminiParser(): AgentStreamParser {
  const state: ParserState = { text: [], stderr: [] };
  return {
    pushStdout(text) {
      if (!text.trim()) return [];
      const line = parseJsonLine(text);
      return (line && HANDLERS[String(line.type)]?.(line, state)) ?? rawStdout(text);
    },
    pushStderr(line) {
      state.stderr.push(line);
      return [{ kind: "raw", stream: "stderr", line }];
    },
    finish(exitCode, previousCumulative) {
      const verdict = judge(state, exitCode);
      const sessionId = verdict.sessionNotFound ? undefined : state.sessionId;
      return {
        ...verdict,
        ...(sessionId ? { sessionId } : {}),
        usage: state.result ? geminiUsage(state.result) : { ...ZERO_USAGE },
        cumulative: { ...previousCumulative },
      };
    },
  };
}

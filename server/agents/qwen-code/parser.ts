/**
 * Qwen Code `-o stream-json` (Claude Code's line shapes) to normalized log events and a verdict.
 * Each assistant line carries its own API call's usage; `result.usage` is cumulative for the
 * session after `--resume`, so a run's figures are the sum of its assistant lines. A failed API
 * call arrives as an assistant text "[API Error: ...]" and again in `result.error`. Recorded
 * transcripts: tests/fixtures/transcripts/qwen-*.
 */
import { ZERO_USAGE, type LogEvent, type ToolStatus, type UsageFigures } from "@/lib/log-events";
import { oneLine, stderrReason } from "../classify";
import {
  asArray,
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
  /** The sum of this run's API calls. */
  usage: UsageFigures;
  lastError?: string;
  stderr: string[];
}

type Handler = (line: Json, state: ParserState) => LogEvent[] | undefined;

const SESSION_NOT_FOUND = /No saved session found with ID/i;
const API_ERROR = /^\[API Error: /;
const API_ERROR_STATUS = /API Error: (\d{3})\b/;

/** Qwen's input_tokens include the cached part (OpenAI semantics): split them as Claude reports them. */
function callUsage(usage: Json): UsageFigures {
  const cached = asNumber(usage.cache_read_input_tokens);
  return {
    inputTokens: Math.max(0, asNumber(usage.input_tokens) - cached),
    outputTokens: asNumber(usage.output_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: asNumber(usage.cache_creation_input_tokens),
    costUsd: 0,
  };
}

function addUsage(total: UsageFigures, more: UsageFigures): UsageFigures {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    cacheReadTokens: total.cacheReadTokens + more.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    costUsd: 0,
  };
}

function blockEvents(block: Json, state: ParserState): LogEvent[] {
  const text = asString(block.text) ?? "";
  switch (block.type) {
    case "text":
      if (API_ERROR.test(text)) {
        state.lastError = text;
        return [{ kind: "error", message: text, fatal: true }];
      }
      return text ? [{ kind: "assistant", text }] : [];
    case "thinking":
      return block.thinking ? [{ kind: "thinking", text: String(block.thinking) }] : [];
    case "tool_use":
      return [{ kind: "tool_call", id: asString(block.id) ?? "", name: asString(block.name) ?? "tool", summary: summarizeToolInput(block.input), status: "running" }];
    default:
      return [];
  }
}

function handleAssistant(line: Json, state: ParserState): LogEvent[] {
  const message = asObject(line.message) ?? {};
  state.usage = addUsage(state.usage, callUsage(asObject(message.usage) ?? {}));
  return asArray(message.content)
    .map(asObject)
    .filter((block) => block !== undefined)
    .flatMap((block) => blockEvents(block, state));
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((part) => asString(asObject(part)?.text) ?? "")
    .join("\n");
}

function handleUser(line: Json): LogEvent[] {
  return asArray(asObject(line.message)?.content)
    .map(asObject)
    .filter((block) => block?.type === "tool_result")
    .map((block) => {
      const status: ToolStatus = block?.is_error === true ? "error" : "ok";
      return { kind: "tool_result", id: asString(block?.tool_use_id) ?? "", output: toolResultText(block?.content), status };
    });
}

function resultError(result: Json): string {
  return asString(asObject(result.error)?.message) ?? asString(result.result) ?? `Qwen Code ended with ${String(result.subtype ?? "an error")}`;
}

function handleResult(line: Json, state: ParserState): LogEvent[] {
  state.result = line;
  state.sessionId ??= asString(line.session_id);
  const events: LogEvent[] = [{ kind: "usage", usage: state.usage }];
  const message = resultError(line);
  if (line.is_error === true && message !== state.lastError) events.push({ kind: "error", message, fatal: true });
  return events;
}

function handleSystem(line: Json, state: ParserState): LogEvent[] | undefined {
  if (line.subtype === "init") {
    const sessionId = asString(line.session_id);
    if (!sessionId) return undefined;
    state.sessionId = sessionId;
    return [{ kind: "session", sessionId }];
  }
  if (line.subtype === "retry") {
    const data = asObject(line.data) ?? {};
    if (data.attempt === undefined) return [];
    return [{ kind: "system", message: `API retry ${String(data.attempt)}/${String(data.maxRetries ?? "?")} in ${String(data.delayMs ?? "?")} ms` }];
  }
  return undefined;
}

const HANDLERS: Record<string, Handler> = {
  system: handleSystem,
  assistant: handleAssistant,
  user: handleUser,
  result: handleResult,
  // Goal state and partial deltas: the assistant line repeats the whole block.
  stream_event: () => [],
};

function judge(state: ParserState, exitCode: number | null): Judgement {
  const notFound = state.stderr.find((line) => SESSION_NOT_FOUND.test(line));
  if (notFound && !state.result) return cliFailure(oneLine(notFound, 500), { sessionNotFound: true });
  const result = state.result;
  if (!result) return cliFailure(stderrReason(state.stderr) ?? `Qwen Code exited with code ${exitCode} without a result`);
  if (result.is_error === true || result.subtype !== "success") {
    const message = resultError(result);
    const status = API_ERROR_STATUS.exec(message)?.[1];
    return conversationFailure(message, status ? Number(status) : undefined);
  }
  if (exitCode !== 0) return cliFailure(stderrReason(state.stderr) ?? `Qwen Code exited with code ${exitCode}`);
  return { status: "DONE" };
}

/** The session's counters after this run, for the record: never lower than before. */
function cumulativeAfter(result: Json | undefined, previous: Record<string, number>): Record<string, number> {
  const usage = asObject(result?.usage) ?? {};
  const next = { ...previous };
  for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens"]) next[key] = Math.max(asNumber(usage[key]), previous[key] ?? 0);
  return next;
}

export function createQwenParser(): AgentStreamParser {
  const state: ParserState = { usage: { ...ZERO_USAGE }, stderr: [] };
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
        usage: { ...state.usage },
        cumulative: cumulativeAfter(state.result, previousCumulative),
      };
    },
  };
}

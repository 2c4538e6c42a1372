/**
 * Claude Code `--output-format stream-json --verbose` to normalized log events and a verdict.
 * Line shapes and usage semantics: see the recorded transcripts in tests/fixtures/transcripts.
 */
import type { ErrorClass } from "@/lib/enums";
import { ZERO_USAGE, type LogEvent, type ToolStatus, type UsageFigures } from "@/lib/log-events";
import { classifyError, oneLine, stderrReason } from "../classify";
import { summarizeToolInput } from "../stream-helpers";
import type { QuotaWindow } from "@/lib/schemas/quota";
import type { AgentStreamParser, RunVerdict } from "../types";
import { describeWindows, parseRateLimitEvent } from "./rate-limit";

type Json = Record<string, unknown>;

interface ParserState {
  sessionId?: string;
  result?: Json;
  /** tool_use ids the CLI refused: their results are shown as denied, not as errors. */
  denied: Set<string>;
  /** The last fatal error shown, so the result line does not repeat it. */
  lastError?: string;
  stderr: string[];
  /** The latest rate-limit windows the CLI reported (rate_limit_event), by window. */
  windows: Map<string, QuotaWindow>;
  /** The last rate-limit line shown, so repeats do not fill the log. */
  lastWindows?: string;
}

/** Events for a recognized line; undefined for a line this parser does not know (kept raw). */
type Handler = (line: Json, state: ParserState) => LogEvent[] | undefined;

const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const asNumber = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const SESSION_NOT_FOUND = /No conversation found with session ID/i;
export { summarizeToolInput };

function handleInit(line: Json, state: ParserState): LogEvent[] {
  const sessionId = asString(line.session_id);
  if (!sessionId) return [];
  state.sessionId = sessionId;
  return [{ kind: "session", sessionId }];
}

function handleApiRetry(line: Json): LogEvent[] {
  const status = line.error_status == null ? "no status" : `status ${line.error_status}`;
  const error = asString(line.error) ?? "unknown";
  return [{ kind: "system", message: `API retry ${line.attempt}/${line.max_retries} after ${status} (${error})` }];
}

function handlePermissionDenied(line: Json, state: ParserState): LogEvent[] {
  const id = asString(line.tool_use_id);
  if (id) state.denied.add(id);
  // The tool_result that follows carries the same message, shown there as denied.
  return [];
}

const SYSTEM_HANDLERS: Record<string, Handler> = {
  init: handleInit,
  api_retry: handleApiRetry,
  permission_denied: handlePermissionDenied,
  // "requesting" heartbeats: nothing a person needs.
  status: () => [],
};

function contentBlockEvents(block: Json): LogEvent[] {
  switch (block.type) {
    case "text":
      return block.text ? [{ kind: "assistant", text: String(block.text) }] : [];
    case "thinking":
      return block.thinking ? [{ kind: "thinking", text: String(block.thinking) }] : [];
    case "tool_use":
      return [
        {
          kind: "tool_call",
          id: asString(block.id) ?? "",
          name: asString(block.name) ?? "tool",
          summary: summarizeToolInput(block.input),
          status: "running",
        },
      ];
    default:
      return [];
  }
}

function handleAssistant(line: Json, state: ParserState): LogEvent[] {
  const blocks = asArray(asObject(line.message)?.content).map(asObject).filter((block) => block !== undefined);
  // A failed API call arrives as a synthetic assistant message: it is the run's fatal error.
  if (line.is_api_error_message === true) {
    const message = blocks.map((block) => asString(block.text) ?? "").join("\n");
    state.lastError = message;
    return [{ kind: "error", message, fatal: true }];
  }
  return blocks.flatMap(contentBlockEvents);
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((part) => {
      const block = asObject(part);
      return block?.type === "text" ? String(block.text ?? "") : `[${String(block?.type ?? "content")}]`;
    })
    .join("\n");
}

/** Claude reports a refusal in tool_result_meta too; older versions only set is_error. */
function refusedIds(line: Json): Set<string> {
  const ids = asArray(line.tool_result_meta)
    .map(asObject)
    .filter((meta) => asObject(meta?.permission_decision)?.decision === "reject")
    .map((meta) => asString(meta?.id) ?? "");
  return new Set(ids);
}

function handleUser(line: Json, state: ParserState): LogEvent[] {
  const refused = refusedIds(line);
  return asArray(asObject(line.message)?.content)
    .map(asObject)
    .filter((block) => block?.type === "tool_result")
    .map((block) => {
      const id = asString(block?.tool_use_id) ?? "";
      const status: ToolStatus =
        state.denied.has(id) || refused.has(id) ? "denied" : block?.is_error === true ? "error" : "ok";
      return { kind: "tool_result", id, output: toolResultText(block?.content), status };
    });
}

function resultMessage(result: Json): string {
  const errors = asArray(result.errors).map(String).join("; ");
  return asString(result.result) || errors || `Claude Code ended with ${String(result.subtype ?? "an error")}`;
}

function handleResult(line: Json, state: ParserState): LogEvent[] {
  state.result = line;
  state.sessionId ??= asString(line.session_id);
  // Without the previous snapshot yet: exact while model_usage_since_last_result is reported.
  const events: LogEvent[] = [{ kind: "usage", usage: runUsage(line, {}) }];
  const message = resultMessage(line);
  if (line.is_error === true && message !== state.lastError) events.push({ kind: "error", message, fatal: true });
  return events;
}

function handleRateLimit(line: Json, state: ParserState): LogEvent[] {
  const windows = parseRateLimitEvent(line);
  for (const window of windows) state.windows.set(window.window, window);
  const status = asString(asObject(line.rate_limit_info)?.status) ?? "unknown";
  const message = `Rate limit (${status}): ${describeWindows(windows) || "no windows reported"}.`;
  if (message === state.lastWindows) return [];
  state.lastWindows = message;
  return [{ kind: "system", message }];
}

const HANDLERS: Record<string, Handler> = {
  rate_limit_event: handleRateLimit,
  system: (line, state) => SYSTEM_HANDLERS[String(line.subtype)]?.(line, state),
  assistant: handleAssistant,
  user: handleUser,
  result: handleResult,
  // Partial deltas (--include-partial-messages): the assistant line repeats the whole block.
  stream_event: () => [],
};

function rawLine(line: string): LogEvent[] {
  return [{ kind: "raw", stream: "stdout", line }];
}

/**
 * This invocation's usage. `result.usage` covers this invocation only; `total_cost_usd` is
 * cumulative for a resumed session, so the per-run cost is the per-invocation model usage when
 * reported, else the cumulative cost minus the previous run's snapshot.
 */
function runUsage(result: Json, previous: Record<string, number>): UsageFigures {
  const usage = asObject(result.usage) ?? {};
  const sinceLast = Object.values(asObject(result.model_usage_since_last_result) ?? {});
  const costUsd = sinceLast.length
    ? sinceLast.reduce<number>((sum, model) => sum + asNumber(asObject(model)?.costUSD), 0)
    : Math.max(0, asNumber(result.total_cost_usd) - (previous.costUsd ?? 0));
  return {
    inputTokens: asNumber(usage.input_tokens),
    outputTokens: asNumber(usage.output_tokens),
    cacheReadTokens: asNumber(usage.cache_read_input_tokens),
    cacheWriteTokens: asNumber(usage.cache_creation_input_tokens),
    costUsd,
  };
}

function cumulativeAfter(result: Json | undefined, previous: Record<string, number>): Record<string, number> {
  // An error result can report 0 after a resume; a session's total never goes down.
  const total = Math.max(previous.costUsd ?? 0, asNumber(result?.total_cost_usd));
  return { ...previous, costUsd: total };
}

type Judgement = Omit<RunVerdict, "usage" | "cumulative">;

function failed(errorClass: ErrorClass, reason: string, extra: Partial<RunVerdict> = {}): Judgement {
  return { status: "FAILED", errorClass, reason, ...extra };
}

/** A failure of the CLI itself rather than of the model conversation. */
function cliFailure(reason: string, extra: Partial<RunVerdict> = {}): Judgement {
  const { errorClass, transient } = classifyError(reason);
  return failed(errorClass === "UNKNOWN" ? "TOOL" : errorClass, reason, { transient, ...extra });
}

function judge(state: ParserState, exitCode: number | null): Judgement {
  const result = state.result;
  const notFound = [...state.stderr, ...asArray(result?.errors).map(String)].find((text) => SESSION_NOT_FOUND.test(text));
  if (notFound) return cliFailure(oneLine(notFound, 500), { sessionNotFound: true });
  if (!result) {
    return cliFailure(stderrReason(state.stderr) ?? `Claude Code exited with code ${exitCode} without a result`);
  }
  if (result.subtype === "error_max_turns" || result.terminal_reason === "max_turns") {
    return failed("CODE", resultMessage(result));
  }
  if (result.is_error === true || result.subtype !== "success") {
    const message = resultMessage(result);
    const status = typeof result.api_error_status === "number" ? result.api_error_status : undefined;
    const { errorClass, transient, quota } = classifyError(message, status);
    return failed(errorClass, message, { transient, quota });
  }
  if (exitCode !== 0) return cliFailure(stderrReason(state.stderr) ?? `Claude Code exited with code ${exitCode}`);
  return { status: "DONE" };
}

export function createClaudeParser(): AgentStreamParser {
  const state: ParserState = { denied: new Set(), stderr: [], windows: new Map() };
  return {
    pushStdout(text) {
      if (!text.trim()) return [];
      let line: Json | undefined;
      try {
        line = asObject(JSON.parse(text));
      } catch {
        return rawLine(text);
      }
      return (line && HANDLERS[String(line.type)]?.(line, state)) ?? rawLine(text);
    },
    pushStderr(line) {
      state.stderr.push(line);
      return [{ kind: "raw", stream: "stderr", line }];
    },
    quotaWindows: () => [...state.windows.values()],
    finish(exitCode, previousCumulative) {
      const verdict = judge(state, exitCode);
      const sessionId = verdict.sessionNotFound ? undefined : state.sessionId;
      return {
        ...verdict,
        ...(sessionId ? { sessionId } : {}),
        ...(state.windows.size > 0 ? { quotaWindows: [...state.windows.values()] } : {}),
        usage: state.result ? runUsage(state.result, previousCumulative) : { ...ZERO_USAGE },
        cumulative: cumulativeAfter(state.result, previousCumulative),
      };
    },
  };
}

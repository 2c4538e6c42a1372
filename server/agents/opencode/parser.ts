/**
 * opencode `run --format json` to normalized log events and a verdict. There is no init or result
 * line: every line names the session, each model call ends with a `step_finish` carrying that
 * call's tokens and cost (summed here for the run), and the run is done after a `step_finish`
 * whose reason is not `tool-calls`. Recorded transcripts: tests/fixtures/transcripts/opencode-*.
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
  usage: UsageFigures;
  /** A step_finish that did not ask for tool calls: the model's turn is over. */
  finished: boolean;
  fatal?: { message: string; status?: number };
  stderr: string[];
}

type Handler = (part: Json, line: Json, state: ParserState) => LogEvent[] | undefined;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const SESSION_NOT_FOUND = /Session not found/i;
const PERMISSION_REJECTED = /permission requested: .*auto-rejecting/i;

function stepUsage(part: Json): UsageFigures {
  const tokens = asObject(part.tokens) ?? {};
  const cache = asObject(tokens.cache) ?? {};
  return {
    inputTokens: asNumber(tokens.input),
    // Reasoning tokens are counted apart from output by opencode; both are billed as output.
    outputTokens: asNumber(tokens.output) + asNumber(tokens.reasoning),
    cacheReadTokens: asNumber(cache.read),
    cacheWriteTokens: asNumber(cache.write),
    costUsd: asNumber(part.cost),
  };
}

function addUsage(total: UsageFigures, more: UsageFigures): UsageFigures {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    cacheReadTokens: total.cacheReadTokens + more.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    costUsd: total.costUsd + more.costUsd,
  };
}

function handleToolUse(part: Json): LogEvent[] {
  const id = asString(part.callID) ?? asString(part.id) ?? "";
  const state = asObject(part.state) ?? {};
  const done = state.status === "completed";
  const call: LogEvent = { kind: "tool_call", id, name: asString(part.tool) ?? "tool", summary: summarizeToolInput(state.input), status: "running" };
  if (state.status !== "completed" && state.status !== "error") return [call];
  const output = asString(state.output) ?? asString(state.error) ?? "";
  return [call, { kind: "tool_result", id, output, status: done ? "ok" : "error" }];
}

/** The error's message, with the server's retry-after header appended so a reset time can be read. */
function errorOf(line: Json): { message: string; status?: number } {
  const error = asObject(line.error) ?? {};
  const data = asObject(error.data) ?? {};
  const headers = asObject(data.responseHeaders) ?? {};
  const base = asString(data.message) ?? asString(error.message) ?? asString(error.name) ?? "opencode failed";
  const retryAfter = asString(headers["retry-after"]);
  const message = retryAfter && !/retry-after/i.test(base) ? `${base} (retry-after: ${retryAfter})` : base;
  return { message, status: typeof data.statusCode === "number" ? data.statusCode : undefined };
}

const HANDLERS: Record<string, Handler> = {
  step_start: () => [],
  text: (part) => (asString(part.text) ? [{ kind: "assistant", text: String(part.text) }] : []),
  reasoning: (part) => (asString(part.text) ? [{ kind: "thinking", text: String(part.text) }] : []),
  tool_use: handleToolUse,
  step_finish: (part, _line, state) => {
    const usage = stepUsage(part);
    state.usage = addUsage(state.usage, usage);
    if (part.reason !== "tool-calls") state.finished = true;
    return [{ kind: "usage", usage: { ...state.usage } }];
  },
  error: (_part, line, state) => {
    state.fatal = errorOf(line);
    return [{ kind: "error", message: state.fatal.message, fatal: true }];
  },
};

function sessionEvents(line: Json, state: ParserState): LogEvent[] {
  const sessionId = asString(line.sessionID);
  if (!sessionId || state.sessionId) return [];
  state.sessionId = sessionId;
  return [{ kind: "session", sessionId }];
}

function judge(state: ParserState, exitCode: number | null): Judgement {
  const stderr = state.stderr.map((line) => line.replace(ANSI, ""));
  const notFound = stderr.find((line) => SESSION_NOT_FOUND.test(line));
  if (notFound && !state.sessionId) return cliFailure(oneLine(notFound.replace(/^Error:\s*/, ""), 500), { sessionNotFound: true });
  if (state.fatal) return conversationFailure(state.fatal.message, state.fatal.status);
  const rejected = stderr.find((line) => PERMISSION_REJECTED.test(line));
  if (rejected) return { status: "FAILED", errorClass: "TOOL", reason: `${oneLine(rejected.replace(/^!\s*/, ""), 400)} (the permission mode does not allow it)` };
  if (state.finished && exitCode === 0) return { status: "DONE" };
  return cliFailure(stderrReason(stderr) ?? `opencode exited with code ${exitCode} before the model finished its turn`);
}

export function createOpencodeParser(): AgentStreamParser {
  const state: ParserState = { usage: { ...ZERO_USAGE }, finished: false, stderr: [] };
  return {
    pushStdout(text) {
      if (!text.trim()) return [];
      const line = parseJsonLine(text);
      const handler = line && HANDLERS[String(line.type)];
      const events = line && handler?.(asObject(line.part) ?? {}, line, state);
      return events ? [...sessionEvents(line, state), ...events] : rawStdout(text);
    },
    pushStderr(line) {
      state.stderr.push(line);
      return [{ kind: "raw", stream: "stderr", line }];
    },
    finish(exitCode, previousCumulative) {
      const verdict = judge(state, exitCode);
      const sessionId = verdict.sessionNotFound ? undefined : state.sessionId;
      return { ...verdict, ...(sessionId ? { sessionId } : {}), usage: { ...state.usage }, cumulative: { ...previousCumulative } };
    },
  };
}

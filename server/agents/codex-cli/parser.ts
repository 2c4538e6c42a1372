/**
 * Codex CLI `exec --json` (JSONL thread events) to normalized log events and a verdict.
 * Line shapes and usage semantics: see the recorded transcripts in tests/fixtures/transcripts.
 */
import type { LogEvent, ToolStatus, UsageFigures } from "@/lib/log-events";
import { classifyError, oneLine, stderrReason } from "../classify";
import type { AgentStreamParser, RunVerdict } from "../types";

interface CodexItem {
  id?: string;
  type?: string;
  text?: string;
  message?: string;
  command?: string;
  aggregated_output?: string;
  exit_code?: number | null;
  status?: string;
  changes?: { path?: string; kind?: string }[];
  server?: string;
  tool?: string;
  arguments?: unknown;
  result?: unknown;
  error?: { message?: string } | null;
  query?: string;
}

interface CodexLine {
  type?: string;
  thread_id?: string;
  message?: string;
  item?: CodexItem;
  usage?: Record<string, unknown>;
  error?: { message?: string };
}

interface ParserState {
  sessionId?: string;
  /** The thread's counters from the last turn.completed. */
  totals?: Record<string, number>;
  turnCompleted: boolean;
  fatalError?: string;
  /** Ids whose tool_call row was already emitted by item.started. */
  started: Set<string>;
  stderr: string[];
}

/** Events for a recognized line; undefined for a line this parser does not know (kept raw). */
type Handler = (line: CodexLine, state: ParserState) => LogEvent[] | undefined;
type Phase = "started" | "updated" | "completed";

interface ToolView {
  name: string;
  summary: string;
  output: string;
  status: ToolStatus;
}

/** Item status to row status; an unfinished item that ends the turn counts as failed. */
function itemStatus(item: CodexItem, ok = item.status === "completed"): ToolStatus {
  if (item.status === "declined") return "denied";
  return ok ? "ok" : "error";
}

function changeLines(item: CodexItem): string[] {
  return (item.changes ?? []).map((change) => `${change.kind ?? "update"} ${change.path ?? "?"}`);
}

const TOOL_VIEWS: Record<string, (item: CodexItem) => ToolView> = {
  command_execution: (item) => ({
    name: "shell",
    summary: oneLine(item.command ?? ""),
    output: item.aggregated_output ?? "",
    status: itemStatus(item, item.status === "completed" && item.exit_code === 0),
  }),
  file_change: (item) => ({
    name: "apply_patch",
    summary: oneLine(changeLines(item).join(", ")),
    output: changeLines(item).join("\n"),
    status: itemStatus(item),
  }),
  mcp_tool_call: (item) => ({
    name: `${item.server ?? "mcp"}.${item.tool ?? "tool"}`,
    summary: oneLine(JSON.stringify(item.arguments ?? {})),
    output: item.error?.message ?? JSON.stringify(item.result ?? null),
    status: itemStatus(item),
  }),
  web_search: (item) => ({
    name: "web_search",
    summary: oneLine(item.query ?? ""),
    output: item.query ?? "",
    status: "ok",
  }),
};

// Items that only matter once complete: their text does not change after that.
const MESSAGE_ITEMS: Record<string, (item: CodexItem) => LogEvent[]> = {
  agent_message: (item) => (item.text ? [{ kind: "assistant", text: item.text }] : []),
  reasoning: (item) => (item.text ? [{ kind: "thinking", text: item.text }] : []),
  // e.g. the model fallback notice of a resume without -m: the turn goes on.
  error: (item) => [{ kind: "error", message: item.message ?? "error", fatal: false }],
};

function toolEvents(item: CodexItem, view: ToolView, phase: Phase, state: ParserState): LogEvent[] {
  const id = item.id ?? "";
  const call: LogEvent = { kind: "tool_call", id, name: view.name, summary: view.summary, status: "running" };
  const events: LogEvent[] = state.started.has(id) ? [] : [call];
  state.started.add(id);
  if (phase === "completed") events.push({ kind: "tool_result", id, output: view.output, status: view.status });
  return events;
}

function itemHandler(phase: Phase): Handler {
  return (line, state) => {
    const item = line.item;
    const type = item?.type ?? "";
    const view = TOOL_VIEWS[type];
    if (item && view) return toolEvents(item, view(item), phase, state);
    const message = MESSAGE_ITEMS[type];
    if (item && message) return phase === "completed" ? message(item) : [];
    return undefined;
  };
}

function fatal(message: string, state: ParserState): LogEvent[] {
  // The top-level error and turn.failed carry the same message: show it once.
  if (message === state.fatalError) return [];
  state.fatalError = message;
  return [{ kind: "error", message, fatal: true }];
}

const HANDLERS: Record<string, Handler> = {
  "thread.started": (line, state) => {
    if (!line.thread_id) return undefined;
    state.sessionId = line.thread_id;
    return [{ kind: "session", sessionId: line.thread_id }];
  },
  "turn.started": () => [],
  "item.started": itemHandler("started"),
  "item.updated": itemHandler("updated"),
  "item.completed": itemHandler("completed"),
  // Thread totals, not this run's: the per-run figures are only known in finish().
  "turn.completed": (line, state) => {
    state.turnCompleted = true;
    state.totals = threadTotals(line.usage ?? {});
    return [];
  },
  error: (line, state) => {
    const message = line.message ?? "error";
    // Stream retries ("Reconnecting... 1/5") are reported as errors too; the turn goes on.
    return /^reconnecting/i.test(message) ? [{ kind: "error", message, fatal: false }] : fatal(message, state);
  },
  "turn.failed": (line, state) => fatal(line.error?.message ?? line.message ?? "turn failed", state),
};

function threadTotals(usage: Record<string, unknown>): Record<string, number> {
  const count = (key: string) => (typeof usage[key] === "number" ? (usage[key] as number) : 0);
  return {
    inputTokens: count("input_tokens"),
    cachedInputTokens: count("cached_input_tokens"),
    cacheWriteInputTokens: count("cache_write_input_tokens"),
    outputTokens: count("output_tokens"),
    reasoningOutputTokens: count("reasoning_output_tokens"),
  };
}

/**
 * This run's usage: Codex's counters are cumulative for the thread, across resumes too, so the
 * run's share is the difference to the previous run's snapshot. `input_tokens` includes the cached
 * tokens (OpenAI's usage semantics), so inputTokens is the uncached part, as Claude reports it, and
 * cacheReadTokens the cached part. Reasoning tokens are already inside output_tokens. Codex
 * reports no cost.
 */
function codexRunUsage(totals: Record<string, number>, previous: Record<string, number>): UsageFigures {
  const delta = (key: string) => Math.max(0, (totals[key] ?? 0) - (previous[key] ?? 0));
  return {
    inputTokens: Math.max(0, delta("inputTokens") - delta("cachedInputTokens")),
    outputTokens: delta("outputTokens"),
    cacheReadTokens: delta("cachedInputTokens"),
    cacheWriteTokens: delta("cacheWriteInputTokens"),
    costUsd: 0,
  };
}

const SESSION_NOT_FOUND = /no rollout found/i;

type Judgement = Omit<RunVerdict, "usage" | "cumulative">;

/** A failure of the CLI itself rather than of the model conversation. */
function cliFailure(reason: string, extra: Partial<RunVerdict> = {}): Judgement {
  const { errorClass, transient } = classifyError(reason);
  return { status: "FAILED", errorClass: errorClass === "UNKNOWN" ? "TOOL" : errorClass, reason, transient, ...extra };
}

function judge(state: ParserState, exitCode: number | null): Judgement {
  const notFound = state.stderr.find((line) => SESSION_NOT_FOUND.test(line));
  if (notFound) return cliFailure(oneLine(notFound.replace(/^Error:\s*/, ""), 500), { sessionNotFound: true });
  if (state.fatalError) {
    const { errorClass, transient, quota } = classifyError(state.fatalError);
    return { status: "FAILED", errorClass, reason: state.fatalError, transient, quota };
  }
  if (state.turnCompleted && exitCode === 0) return { status: "DONE" };
  return cliFailure(stderrReason(state.stderr) ?? `Codex exited with code ${exitCode} before finishing its turn`);
}

export function createCodexParser(): AgentStreamParser {
  const state: ParserState = { turnCompleted: false, started: new Set(), stderr: [] };
  return {
    pushStdout(text) {
      if (!text.trim()) return [];
      let line: CodexLine | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        line = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
      } catch {
        line = undefined;
      }
      return (line && HANDLERS[String(line.type)]?.(line, state)) ?? [{ kind: "raw", stream: "stdout", line: text }];
    },
    pushStderr(line) {
      state.stderr.push(line);
      return [{ kind: "raw", stream: "stderr", line }];
    },
    finish(exitCode, previousCumulative) {
      const verdict = judge(state, exitCode);
      const sessionId = verdict.sessionNotFound ? undefined : state.sessionId;
      const totals = state.totals ?? {};
      // A failed turn reports nothing: carry the previous snapshot so the next resume still subtracts it.
      const cumulative = { ...previousCumulative };
      for (const [key, value] of Object.entries(totals)) cumulative[key] = Math.max(value, cumulative[key] ?? 0);
      return {
        ...verdict,
        ...(sessionId ? { sessionId } : {}),
        usage: codexRunUsage(totals, previousCumulative),
        cumulative,
      };
    },
  };
}

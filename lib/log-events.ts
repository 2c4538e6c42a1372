/**
 * Normalized log events: what every agent adapter turns its CLI's output into, what the run log
 * stores and what the log viewer renders. Safe on client and server.
 */

export interface UsageFigures {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export const ZERO_USAGE: UsageFigures = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
};

export type ToolStatus = "running" | "ok" | "error" | "denied";

export type LogEvent =
  | { kind: "assistant"; text: string }
  | { kind: "thinking"; text: string }
  /** `id` links a call to its result so the viewer can update the row's status in place. */
  | { kind: "tool_call"; id: string; name: string; summary: string; status: ToolStatus }
  | { kind: "tool_result"; id: string; output: string; status: ToolStatus }
  | { kind: "error"; message: string; fatal: boolean }
  | { kind: "usage"; usage: UsageFigures }
  | { kind: "session"; sessionId: string }
  /** The orchestrator's own notes: worktree created, retry scheduled, commit made, ... */
  | { kind: "system"; message: string }
  /** A line the parser did not recognize, or stderr: kept verbatim and shown. */
  | { kind: "raw"; stream: "stdout" | "stderr"; line: string }
  /** An output line that produced no event of its own: kept for the raw view, hidden otherwise. */
  | { kind: "line"; stream: "stdout" | "stderr"; line: string };

export type LogEventKind = LogEvent["kind"];

/**
 * A stored event: the event plus its place in the run's log. The first event parsed from an
 * output line carries that line in `line`, so the raw view can show the output verbatim.
 */
export type StoredLogEvent = LogEvent & { seq: number; ts: string; line?: string };

import { z } from "zod";
import { listSchema } from "./common";
import { usageFiguresSchema } from "./usage";

/**
 * Normalized log events: what every agent adapter turns its CLI's output into, what the run log
 * stores and what the log viewer renders.
 */
export const TOOL_STATUSES = ["running", "ok", "error", "denied"] as const;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

const stream = z.enum(["stdout", "stderr"]);

/** The server's own steps in a run: the workspace's setup script, its check command. */
export const PHASES = ["setup", "check"] as const;
export type Phase = (typeof PHASES)[number];
export const PHASE_STATUSES = ["running", "passed", "failed", "timed_out"] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

export const logEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("assistant"), text: z.string() }),
  z.object({ kind: z.literal("thinking"), text: z.string() }),
  /** `id` links a call to its result so the viewer can update the row's status in place. */
  z.object({ kind: z.literal("tool_call"), id: z.string(), name: z.string(), summary: z.string(), status: z.enum(TOOL_STATUSES) }),
  z.object({ kind: z.literal("tool_result"), id: z.string(), output: z.string(), status: z.enum(TOOL_STATUSES) }),
  z.object({ kind: z.literal("error"), message: z.string(), fatal: z.boolean() }),
  z.object({ kind: z.literal("usage"), usage: usageFiguresSchema }),
  z.object({ kind: z.literal("session"), sessionId: z.string() }),
  /** The orchestrator's own notes: worktree created, retry scheduled, commit made, ... */
  z.object({ kind: z.literal("system"), message: z.string() }),
  /** A phase began (status running) or ended, with its exit code and duration. */
  z.object({
    kind: z.literal("phase"),
    phase: z.enum(PHASES),
    status: z.enum(PHASE_STATUSES),
    command: z.string(),
    exitCode: z.number().nullable(),
    durationMs: z.number().nullable(),
  }),
  /** One output line of a phase: shown collapsed under it. */
  z.object({ kind: z.literal("phase_output"), phase: z.enum(PHASES), stream, line: z.string() }),
  /** A line the parser did not recognize, or stderr: kept verbatim and shown. */
  z.object({ kind: z.literal("raw"), stream, line: z.string() }),
  /** An output line that produced no event of its own: kept for the raw view, hidden otherwise. */
  z.object({ kind: z.literal("line"), stream, line: z.string() }),
]);
export type LogEvent = z.infer<typeof logEventSchema>;
export type LogEventKind = LogEvent["kind"];

/**
 * A stored event: the event plus its place in the run's log. The first event parsed from an
 * output line carries that line in `line`, so the raw view can show the output verbatim.
 */
export const storedLogEventSchema = z.intersection(logEventSchema, z.object({ seq: z.number(), ts: z.string(), line: z.string().optional() }));
export type StoredLogEvent = z.infer<typeof storedLogEventSchema>;

/** GET /api/runs/:id/logs: a page of the stored log; nextCursor is the last seq, null at the end. */
export const logPageSchema = listSchema(storedLogEventSchema);

/** The `end` message of a log stream. */
export const runEndSchema = z.object({ runId: z.number(), status: z.string(), errorClass: z.string().nullable() });
export type RunEnd = z.infer<typeof runEndSchema>;

/** The `run` message of a task's log stream: the run whose events follow. */
export const runStartSchema = z.object({ taskId: z.number(), runId: z.number() });

/** GET /api/runs/:id/logs */
export const runLogsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** GET /api/runs/:id/logs/stream: `after` is the last seq seen (Last-Event-ID wins when sent). */
export const runLogStreamQuerySchema = z.object({ after: z.coerce.number().int().min(0).optional() });

/** GET /api/tasks/:id/logs/stream: `after` is `<runId>:<seq>` or `<runId>:end`. */
export const taskLogStreamQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d+:(\d+|end)$/, "Expected <runId>:<seq> or <runId>:end.")
    .optional(),
});

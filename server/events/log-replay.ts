import "server-only";
import { notFound } from "@/lib/errors";
import { db } from "@/server/db/client";
import { readLogJson, storedEventJson } from "./log-store";
import { services } from "@/server/services";
import type { RunEnd, StoredLogRow } from "./bus";
import { sseResponse, sseMaxQueued, type SseChannel } from "./sse";

/**
 * History-then-live replay of run logs over SSE.
 *
 * Wire format, one event per message (the transport coalesces messages into large writes):
 *   id: <seq>                  run stream; task stream: <runId>:<seq>
 *   event: log
 *   data: <StoredLogEvent JSON>
 * then, when the run finishes:
 *   event: end                 task stream: id <runId>:end
 *   data: {"runId":1,"status":"FAILED","errorClass":"TOOL"}
 * The task stream also sends `event: run` / `data: {"taskId":..,"runId":..}` before a run's
 * events: without an id for the run it starts with, with id <runId>:0 for a newer run it moves
 * on to (continue, retry). A run stream ends after `end`; a task stream stays open for the next
 * run. Heartbeats are `: ping` comments. Last-Event-ID (or `after`) resumes exactly after the
 * last message received: no gap, no duplicate.
 *
 * Order of work, so nothing falls between history and live: subscribe to the bus first
 * (buffering), read the stored log in pages (no transaction between pages), send the buffer
 * minus what the pages had, then forward live. The bus only carries stored events, so a buffer
 * that grew too large can be dropped and read from the database instead.
 */

const PAGE_SIZE = 1000;

interface JsonEvent {
  seq: number;
  json: string;
}

/** A live batch reaches every client as the same array: its JSON is made once for all of them. */
const batchJson = new WeakMap<readonly StoredLogRow[], JsonEvent[]>();
function liveJson(rows: readonly StoredLogRow[]): JsonEvent[] {
  let json = batchJson.get(rows);
  if (json === undefined) {
    json = rows.map((row) => ({ seq: row.seq, json: storedEventJson(row.data, row.seq, row.ts) }));
    batchJson.set(rows, json);
  }
  return json;
}

async function runState(runId: number): Promise<{ taskId: number; status: string; errorClass: string | null } | null> {
  return db().run.findUnique({ where: { id: runId }, select: { taskId: true, status: true, errorClass: true } });
}

/**
 * Sends run `runId`'s events after `afterSeq`, history then live, until the run ends. Resolves
 * with the run's end, or null when the channel closed first.
 */
async function replayRun(channel: SseChannel, runId: number, afterSeq: number, idOf: (seq: number) => string): Promise<RunEnd | null> {
  const bus = services().bus;
  // History is paced by the client: a page is read once its queue is down to a quarter of the
  // cap, and live events held meanwhile are capped at half, so replay alone never overflows.
  const quarter = Math.max(1, Math.floor(sseMaxQueued() / 4));
  let last = afterSeq;
  let buffer: JsonEvent[] | null = [];
  let overflowed = false;
  let ended: RunEnd | null = null;
  let onEnd: ((end: RunEnd | null) => void) | null = null;

  const send = (events: JsonEvent[]): void => {
    for (const event of events) {
      if (event.seq <= last) continue;
      if (!channel.send({ id: idOf(event.seq), event: "log", data: event.json })) return;
      last = event.seq;
    }
  };
  const offLog = bus.onRunLog(runId, (rows) => {
    if (!buffer) return send(liveJson(rows));
    if (overflowed) return;
    for (const event of liveJson(rows)) buffer.push(event);
    if (buffer.length > 2 * quarter) {
      overflowed = true;
      buffer = [];
    }
  });
  const offEnd = bus.onRunEnd(runId, (end) => {
    ended = end;
    onEnd?.(end);
  });
  const offClose = channel.onClose(() => {
    offLog();
    offEnd();
    onEnd?.(null);
  });
  try {
    const run = await runState(runId);
    if (!run) return null;
    do {
      // Dropped buffered events are stored: read them back from the database instead.
      overflowed = false;
      await sendHistory(channel, runId, quarter, () => last, send);
      await channel.drained(quarter);
    } while (overflowed && !channel.closed);
    const buffered = buffer;
    buffer = null;
    send(buffered);
    if (channel.closed) return null;
    if (run.status !== "RUNNING") ended ??= { runId, status: run.status, errorClass: run.errorClass };
    return ended ?? (await new Promise<RunEnd | null>((resolve) => (onEnd = resolve)));
  } finally {
    offLog();
    offEnd();
    offClose();
  }
}

async function sendHistory(channel: SseChannel, runId: number, quarter: number, after: () => number, send: (page: JsonEvent[]) => void): Promise<void> {
  const pageSize = Math.min(PAGE_SIZE, quarter);
  for (;;) {
    await channel.drained(quarter);
    if (channel.closed) return;
    const page = await readLogJson(runId, after(), pageSize);
    if (channel.closed) return;
    send(page);
    if (page.length < pageSize) return;
  }
}

function endMessage(end: RunEnd): string {
  return JSON.stringify({ runId: end.runId, status: end.status, errorClass: end.errorClass });
}

/** `GET /api/runs/:id/logs/stream`: the run's log after `afterSeq`, then `end`, then the stream ends. */
export async function runLogStream(request: Request, runId: number, afterSeq: number): Promise<Response> {
  if (!(await runState(runId))) throw notFound("run", runId);
  return sseResponse(
    async (channel) => {
      const end = await replayRun(channel, runId, afterSeq, String);
      if (!end) return;
      channel.send({ event: "end", data: endMessage(end) });
      channel.end();
    },
    { signal: request.signal },
  );
}

/** Where a task stream resumes: after `seq` of `runId`, or after that run's end. */
export interface TaskCursor {
  runId: number;
  afterSeq: number;
  ended: boolean;
}

/** Parses `<runId>:<seq>` or `<runId>:end`; null for anything else. */
export function parseTaskCursor(value: string | null | undefined): TaskCursor | null {
  const match = /^(\d+):(\d+|end)$/.exec(value?.trim() ?? "");
  if (!match) return null;
  const ended = match[2] === "end";
  return { runId: Number(match[1]), afterSeq: ended ? 0 : Number(match[2]), ended };
}

/** Parses a run stream's Last-Event-ID (a seq); null when absent or not one. */
export function parseRunCursor(value: string | null | undefined): number | null {
  const trimmed = value?.trim() ?? "";
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

async function taskStart(taskId: number, cursor: TaskCursor | null): Promise<TaskCursor | null> {
  if (cursor && (await runState(cursor.runId))?.taskId === taskId) return cursor;
  const task = await db().task.findUnique({ where: { id: taskId }, select: { currentRunId: true } });
  const runId = task?.currentRunId ?? (await db().run.findFirst({ where: { taskId }, orderBy: { id: "desc" }, select: { id: true } }))?.id;
  return runId ? { runId, afterSeq: 0, ended: false } : null;
}

/** Resolves with the task's first run newer than `afterRunId` once there is one; null on close or deletion. */
function newerRun(channel: SseChannel, taskId: number, afterRunId: number): Promise<number | null> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (runId: number | null) => {
      if (settled) return;
      settled = true;
      offBoard();
      offClose();
      resolve(runId);
    };
    const check = () =>
      db()
        .run.findFirst({ where: { taskId, id: { gt: afterRunId } }, orderBy: { id: "asc" }, select: { id: true } })
        .then((run) => run && settle(run.id))
        .catch((error: unknown) => console.error(`[sse] task ${taskId}: looking for a newer run failed`, error));
    // Subscribed before the first look, so a run created in between is not missed.
    const offBoard = services().bus.onBoard((event) => {
      if (!("taskId" in event) || event.taskId !== taskId) return;
      if (event.type === "task.deleted") settle(null);
      else if (event.type === "task.started") void check();
    });
    const offClose = channel.onClose(() => settle(null));
    void check();
  });
}

/** `GET /api/tasks/:id/logs/stream`: the task's current run, then each newer run as it starts. */
export async function taskLogStream(request: Request, taskId: number, cursor: TaskCursor | null): Promise<Response> {
  if (!(await db().task.findUnique({ where: { id: taskId }, select: { id: true } }))) throw notFound("task", taskId);
  return sseResponse(
    async (channel) => {
      let position = await taskStart(taskId, cursor);
      if (position && !position.ended) channel.send({ event: "run", data: JSON.stringify({ taskId, runId: position.runId }) });
      for (;;) {
        if (position && !position.ended) {
          const runId = position.runId;
          const end = await replayRun(channel, runId, position.afterSeq, (seq) => `${runId}:${seq}`);
          if (!end) return;
          channel.send({ id: `${runId}:end`, event: "end", data: endMessage(end) });
        }
        const next = await newerRun(channel, taskId, position?.runId ?? 0);
        if (next === null) return channel.end();
        channel.send({ id: `${next}:0`, event: "run", data: JSON.stringify({ taskId, runId: next }) });
        position = { runId: next, afterSeq: 0, ended: false };
      }
    },
    { signal: request.signal },
  );
}

/**
 * `GET /api/runs/:id/logs`: a page of the stored log (`{ items, nextCursor }`, nextCursor null on
 * the last page), as JSON text spliced from the stored events: a page of a thousand events is
 * neither parsed nor validated again on its way out (they were when written).
 */
export async function runLogPageJson(runId: number, afterSeq: number, limit: number): Promise<string> {
  if (!(await runState(runId))) throw notFound("run", runId);
  const items = await readLogJson(runId, afterSeq, limit);
  const nextCursor = items.length === limit ? JSON.stringify(String(items[items.length - 1]!.seq)) : "null";
  return `{"items":[${items.map((item) => item.json).join(",")}],"nextCursor":${nextCursor}}`;
}

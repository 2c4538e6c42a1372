import "server-only";
import type { MergeQueueStep } from "@/lib/enums";
import { conflict, unprocessable } from "@/lib/errors";
import type { MergeQueueEntryDto } from "@/lib/schemas/merge-queue";
import type { TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { directRead } from "@/server/db/log-connection";
import type { MergeQueueEntry } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { services } from "@/server/services";

/**
 * The merge queue's rows: one owner for MergeQueueEntry.state and .step. Each transition is one
 * conditional statement (it applies only from the expected state and step), so a step that lost
 * a race to a person's remove does nothing. Entries that left or merged stay as history.
 */

function publish(workspaceId: number, taskId: number): void {
  services().bus.publishBoard({ type: "task.updated", taskId, workspaceId, status: null });
}

/** The queued entries of a workspace in landing order. */
export function queuedEntries(workspaceId: number): Promise<MergeQueueEntry[]> {
  return db().mergeQueueEntry.findMany({ where: { workspaceId, state: "queued" }, orderBy: [{ position: "asc" }, { id: "asc" }] });
}

export function queuedEntryOf(taskId: number): Promise<MergeQueueEntry | null> {
  return db().mergeQueueEntry.findFirst({ where: { taskId, state: "queued" } });
}

/**
 * Crash tests (tests/integration/engine/merge-queue-crash.test.ts) widen the window between a
 * step's git work and its record with AI_SLAVE_TEST_QUEUE_PAUSE_MS, so a kill lands in it.
 */
async function crashWindow(): Promise<void> {
  const pauseMs = Number(process.env.AI_SLAVE_TEST_QUEUE_PAUSE_MS ?? 0);
  if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
}

/** Puts the task last in its workspace's queue; a task is queued at most once. */
export async function insertEntry(input: { workspaceId: number; taskId: number; deleteBranch: boolean }): Promise<MergeQueueEntry> {
  if (await queuedEntryOf(input.taskId)) throw conflict("already_queued", `Task ${input.taskId} is already in the merge queue.`);
  const last = await db().mergeQueueEntry.aggregate({ where: { workspaceId: input.workspaceId, state: "queued" }, _max: { position: true } });
  const entry = await db().mergeQueueEntry.create({ data: { ...input, position: (last._max.position ?? 0) + 1 } });
  publish(input.workspaceId, input.taskId);
  return entry;
}

/** Moves a queued entry from one step to the next; false when it changed meanwhile. */
export async function moveStep(entry: MergeQueueEntry, to: MergeQueueStep, data: Partial<Pick<MergeQueueEntry, "originalTip" | "baseSha" | "landedSha" | "conflictFiles" | "resolveRuns" | "fixRuns">> = {}): Promise<boolean> {
  await crashWindow();
  const { count } = await db().mergeQueueEntry.updateMany({ where: { id: entry.id, state: "queued", step: entry.step }, data: { ...data, step: to } });
  if (count === 1) {
    Object.assign(entry, data, { step: to });
    publish(entry.workspaceId, entry.taskId);
  }
  return count === 1;
}

/** Out of the queue (merged, or left with the reason), from whatever step it was at. */
export async function closeEntry(entry: MergeQueueEntry, state: "merged" | "left", reason: string | null, landedSha?: string): Promise<boolean> {
  // The last step's git work (cleanup) and its record too: without it, that step was visible only
  // while its git commands ran, and a loaded machine's poll could miss it.
  await crashWindow();
  const { count } = await db().mergeQueueEntry.updateMany({
    where: { id: entry.id, state: "queued" },
    data: { state, reason, finishedAt: new Date(), ...(landedSha ? { landedSha } : {}) },
  });
  if (count === 1) publish(entry.workspaceId, entry.taskId);
  return count === 1;
}

/**
 * New order: the entry being landed first, then the listed tasks (each queued in this workspace,
 * none twice) in the given order, then the others as they were.
 */
export async function reorderEntries(workspaceId: number, taskIds: number[]): Promise<void> {
  const entries = await queuedEntries(workspaceId);
  const byTask = new Map(entries.map((entry) => [entry.taskId, entry]));
  const unknown = taskIds.filter((id) => !byTask.has(id));
  if (unknown.length > 0) throw unprocessable("not_queued", `Not in this workspace's merge queue: task ${unknown.join(", ")}.`, { taskIds: unknown });
  if (new Set(taskIds).size !== taskIds.length) throw unprocessable("duplicate_task", "A task is listed twice.");
  // The entry being landed stays first: its step goes on whatever the new order.
  const started = entries.filter((entry) => entry.step !== "waiting");
  const listed = taskIds.map((id) => byTask.get(id)!).filter((entry) => !started.includes(entry));
  const rest = entries.filter((entry) => !started.includes(entry) && !taskIds.includes(entry.taskId));
  await db().$transaction([...started, ...listed, ...rest].map((entry, index) => db().mergeQueueEntry.update({ where: { id: entry.id }, data: { position: index + 1 } })));
  for (const entry of entries) publish(workspaceId, entry.taskId);
}

export function toEntryDto(entry: MergeQueueEntry, position: number | null): MergeQueueEntryDto {
  return {
    taskId: entry.taskId,
    position,
    state: entry.state as MergeQueueEntryDto["state"],
    step: entry.step as MergeQueueStep,
    reason: entry.reason,
    conflictFiles: parseJson<string[]>(entry.conflictFiles, []),
    baseSha: entry.baseSha,
    landedSha: entry.landedSha,
    createdAt: entry.createdAt.toISOString(),
    finishedAt: entry.finishedAt ? entry.finishedAt.toISOString() : null,
  };
}

const QUEUED_WORKSPACES = `SELECT DISTINCT "workspaceId" FROM "MergeQueueEntry" WHERE "state" = 'queued' AND "taskId" IN (SELECT "value" FROM json_each(?))`;

/** Each task's place in its queue (1 lands next), for the task answers. */
export async function mergeQueueByTask(taskIds: number[]): Promise<Map<number, NonNullable<TaskDto["mergeQueue"]>>> {
  const result = new Map<number, NonNullable<TaskDto["mergeQueue"]>>();
  if (taskIds.length === 0) return result;
  // Read directly (server/db/log-connection.ts): every page of tasks asks, and almost always no
  // task of it is queued; through Prisma the empty answer cost about 1 ms of the server's thread.
  const mine = directRead<{ workspaceId: number }>(QUEUED_WORKSPACES, JSON.stringify(taskIds));
  for (const workspaceId of new Set(mine.map((entry) => entry.workspaceId))) {
    const order = await queuedEntries(workspaceId);
    order.forEach((entry, index) => {
      if (taskIds.includes(entry.taskId)) result.set(entry.taskId, { position: index + 1, step: entry.step as MergeQueueStep, reason: entry.reason });
    });
  }
  return result;
}

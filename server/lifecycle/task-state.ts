import "server-only";
import type { CheckState, ReviewState, RunKind, TaskStatus } from "@/lib/enums";
import type { PromptHistoryEntry } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";
import { services } from "@/server/services";

/**
 * The task state machine: TODO -> RUNNING -> DONE | FAILED, and back to TODO by a retry, a
 * continue or an automatic retry. Every change of Task.status is one conditional statement here
 * (it applies only from the expected state, so of two racing callers one wins) that publishes its
 * board event. No other module writes Task.status; later phases (checks, review, merge queue) add
 * their transitions here.
 */

type BoardType = "task.updated" | "task.started" | "task.finished";

/** The database, or the transaction a transition is part of (a run's outcome and its task's next state commit together). */
export type TaskWriter = Pick<ReturnType<typeof db>, "task">;

function publish(type: BoardType, taskId: number, workspaceId: number | null, status: TaskStatus): void {
  services().bus.publishBoard({ type, taskId, workspaceId, status });
}

/** TODO -> RUNNING, only if still TODO: of two concurrent dispatch passes, one wins. */
export async function claimTask(taskId: number, now = new Date(), placeOn?: number): Promise<boolean> {
  if (placeOn !== undefined) return claimAndPlace(taskId, now, placeOn);
  const claimed = await db().$executeRaw`
    UPDATE "Task" SET "status" = 'RUNNING', "startedAt" = COALESCE("startedAt", ${sqlDate(now)}),
      "finishedAt" = NULL, "failureReason" = NULL, "waitingReason" = NULL, "notBefore" = NULL, "updatedAt" = ${sqlDate(now)}
    WHERE "id" = ${taskId} AND "status" = 'TODO'`;
  return claimed === 1;
}

/**
 * RUNNING -> TODO for a task claimed whose run was never made (the server stopped while it waited
 * for its machine's turn, runs/start-gate.ts): nothing ran, so it goes back to the queue in its
 * place (`queuedAt` kept, a pool task on the member it was placed on), with the reason on its card
 * until the scheduler takes it again. False when the task was no longer RUNNING.
 */
export async function requeueUnstarted(input: { taskId: number; workspaceId: number | null; reason: string }): Promise<boolean> {
  const { count } = await db().task.updateMany({ where: { id: input.taskId, status: "RUNNING" }, data: { status: "TODO", waitingReason: input.reason } });
  if (count === 1) publish("task.updated", input.taskId, input.workspaceId, "TODO");
  return count === 1;
}

/**
 * A pool task's claim: in one transaction it becomes RUNNING on the member the scheduler chose
 * (only while still TODO and unplaced) and that workspace's task counter moves past its number.
 * Its number, free in every member at creation, is renumbered only if taken on this member
 * (one that joined the pool later).
 */
async function claimAndPlace(taskId: number, now: Date, workspaceId: number): Promise<boolean> {
  const [claimed] = await db().$transaction([
    db().$executeRaw`
      UPDATE "Task" SET "status" = 'RUNNING', "workspaceId" = ${workspaceId},
        "number" = CASE WHEN EXISTS (SELECT 1 FROM "Task" AS "other" WHERE "other"."workspaceId" = ${workspaceId} AND "other"."number" = "Task"."number")
          THEN (SELECT "nextTaskNumber" FROM "Workspace" WHERE "id" = ${workspaceId}) ELSE "number" END,
        "startedAt" = COALESCE("startedAt", ${sqlDate(now)}),
        "finishedAt" = NULL, "failureReason" = NULL, "waitingReason" = NULL, "notBefore" = NULL, "updatedAt" = ${sqlDate(now)}
      WHERE "id" = ${taskId} AND "status" = 'TODO' AND "workspaceId" IS NULL`,
    db().$executeRaw`
      UPDATE "Workspace" SET "nextTaskNumber" = MAX("nextTaskNumber", (SELECT "number" + 1 FROM "Task" WHERE "id" = ${taskId} AND "workspaceId" = ${workspaceId}))
      WHERE "id" = ${workspaceId} AND EXISTS (SELECT 1 FROM "Task" WHERE "id" = ${taskId} AND "workspaceId" = ${workspaceId})`,
  ]);
  return claimed === 1;
}

/** A claimed task's run began: it records the run, branch and worktree and tells the board. */
export async function markRunStarted(input: { taskId: number; workspaceId: number | null; runId: number; branch: string; worktreePath: string; accountId?: number | null; gpuIndices?: number[] }): Promise<void> {
  await db().task.updateMany({
    where: { id: input.taskId, status: "RUNNING" },
    data: {
      currentRunId: input.runId, branch: input.branch, worktreePath: input.worktreePath,
      ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
      ...(input.gpuIndices === undefined ? {} : { gpuIndices: JSON.stringify(input.gpuIndices) }),
    },
  });
  publish("task.started", input.taskId, input.workspaceId, "RUNNING");
}

/** What a finished run sets on its task besides the status: the verification's states. */
export interface VerificationFields {
  checkState?: CheckState;
  reviewState?: ReviewState;
  reviewedBy?: "agent" | "user" | null;
  /** JSON array of the denied tool calls of the latest work run. */
  permissionDenials?: string;
}

/** RUNNING -> DONE | FAILED. False when the task was no longer RUNNING (deleted meanwhile). */
export async function finishTask(input: { taskId: number; workspaceId: number | null; status: "DONE" | "FAILED"; reason: string | null; now?: Date; fields?: VerificationFields }, client: TaskWriter = db()): Promise<boolean> {
  const { count } = await client.task.updateMany({
    where: { id: input.taskId, status: "RUNNING" },
    data: { ...input.fields, status: input.status, failureReason: input.reason, finishedAt: input.now ?? new Date(), waitingReason: null, notBefore: null, pendingPrompt: null, pendingCause: null },
  });
  if (count === 1) publish("task.finished", input.taskId, input.workspaceId, input.status);
  return count === 1;
}

/**
 * RUNNING -> TODO for the server's own next run of the task: a fix round (a failing check, a
 * review's findings) or a review, with its prompt. Queued first in line: the task's work goes on.
 * A review's transient failure comes back here too, not before `notBefore`.
 */
export async function requeueFollowUp(input: {
  taskId: number;
  workspaceId: number | null;
  kind: "fix" | "review";
  cause: "check" | "review" | null;
  prompt: string;
  fields?: VerificationFields;
  notBefore?: Date;
  waitingReason?: string;
}, client: TaskWriter = db()): Promise<boolean> {
  const { count } = await client.task.updateMany({
    where: { id: input.taskId, status: "RUNNING" },
    data: {
      ...input.fields, status: "TODO", nextRunKind: input.kind, pendingPrompt: input.prompt, pendingCause: input.cause,
      notBefore: input.notBefore ?? null, waitingReason: input.waitingReason ?? null, failureReason: null,
    },
  });
  if (count === 1) {
    publish("task.updated", input.taskId, input.workspaceId, "TODO");
    services().scheduler.poke(input.kind);
  }
  return count === 1;
}

/** RUNNING -> TODO for an automatic retry of a transient failure, not before `at`. */
export async function requeueAutoRetry(input: { taskId: number; workspaceId: number | null; at: Date; reason: string }, client: TaskWriter = db()): Promise<boolean> {
  const { count } = await client.task.updateMany({
    where: { id: input.taskId, status: "RUNNING" },
    data: { status: "TODO", nextRunKind: "auto_retry", notBefore: input.at, waitingReason: `${input.reason} Retrying automatically at ${input.at.toISOString()}.`, failureReason: null },
  });
  if (count === 1) publish("task.updated", input.taskId, input.workspaceId, "TODO");
  return count === 1;
}

/**
 * A pool task whose first run could not reach its member (no agent started, no session there)
 * goes back to its pool at once: the next pass places it on a member that answers. Only while
 * it waits for that automatic retry; its worktree path there is forgotten.
 */
export async function returnToPool(input: { taskId: number; workspaceId: number; reason: string }): Promise<boolean> {
  const { count } = await db().task.updateMany({
    where: { id: input.taskId, status: "TODO", nextRunKind: "auto_retry", poolId: { not: null }, workspaceId: input.workspaceId },
    data: { workspaceId: null, worktreePath: null, setupDone: false, gpuIndices: "[]", notBefore: null, waitingReason: input.reason },
  });
  if (count === 1) publish("task.updated", input.taskId, null, "TODO");
  return count === 1;
}

/**
 * DONE | FAILED -> TODO for a retry or a continue, in place (same worktree and branch), with the
 * new prompt added to the history. False when the task changed meanwhile.
 */
export async function requeueFinished(input: { taskId: number; workspaceId: number | null; from: TaskStatus; kind: RunKind; history: PromptHistoryEntry[]; fields?: VerificationFields }): Promise<boolean> {
  const { count } = await db().task.updateMany({
    where: { id: input.taskId, status: input.from },
    data: {
      status: "TODO", nextRunKind: input.kind, promptHistory: JSON.stringify(input.history), queuedAt: new Date(),
      failureReason: null, waitingReason: null, notBefore: null, finishedAt: null,
      // A person's new request: what was checked and reviewed before is about older work.
      checkState: "NONE", reviewState: "NONE", reviewedBy: null, pendingPrompt: null, pendingCause: null,
      ...input.fields,
    },
  });
  if (count === 1) {
    publish("task.updated", input.taskId, input.workspaceId, "TODO");
    services().scheduler.poke(input.kind);
  }
  return count === 1;
}

/**
 * DONE -> TODO for the merge queue: a conflict resolution (the agent's session goes on with a
 * `resolve` run whose prompt names the conflicted files) or a fix round for the queue's failing check. The verification's states stay: the work
 * they judged is what the queue lands.
 */
export async function requeueResolve(input: { taskId: number; workspaceId: number | null; prompt: string; kind?: "resolve" | "fix" }): Promise<boolean> {
  const kind = input.kind ?? "resolve";
  const { count } = await db().task.updateMany({
    where: { id: input.taskId, status: "DONE" },
    data: { status: "TODO", nextRunKind: kind, pendingPrompt: input.prompt, pendingCause: kind === "fix" ? "check" : null, failureReason: null, waitingReason: null, notBefore: null },
  });
  if (count === 1) {
    publish("task.updated", input.taskId, input.workspaceId, "TODO");
    services().scheduler.poke(kind);
  }
  return count === 1;
}

/** A DONE task landed on its base through the merge queue. */
export async function markMerged(input: { taskId: number; workspaceId: number | null }): Promise<boolean> {
  const { count } = await db().task.updateMany({ where: { id: input.taskId, mergedAt: null }, data: { mergedAt: new Date() } });
  if (count === 1) {
    services().bus.publishBoard({ type: "task.merged", taskId: input.taskId, workspaceId: input.workspaceId, status: "DONE" });
    // Tasks waiting for this one to merge may start.
    services().scheduler.poke("merged");
  }
  return count === 1;
}

/** TODO -> FAILED: cancelled before it started. */
export async function cancelQueued(taskId: number, workspaceId: number | null): Promise<boolean> {
  const { count } = await db().task.updateMany({
    where: { id: taskId, status: "TODO" },
    data: { status: "FAILED", failureReason: "Cancelled before it started.", finishedAt: new Date(), waitingReason: null, notBefore: null },
  });
  if (count === 1) publish("task.finished", taskId, workspaceId, "FAILED");
  return count === 1;
}

/**
 * The runner at its own limit: the due tasks on workspaces with a free slot, and the unplaced
 * tasks of pools with such a member, wait for the runner, and say so, in one statement (a pass with
 * the runner full does not read the workspaces' tasks: that keeps it small). Only tasks without a
 * reason get it; once the runner has room, a pass reads them (they have a reason) and clears it,
 * starts them, or gives a pool task the pool's own reason.
 */
export async function setRunnerFullReason(openWorkspaces: readonly number[], reason: string, now: Date): Promise<number> {
  if (openWorkspaces.length === 0) return 0;
  const rows = await db().$queryRawUnsafe<{ id: number; workspaceId: number | null }[]>(
    `UPDATE "Task" SET "waitingReason" = ?, "updatedAt" = ? WHERE "status" = 'TODO' AND "waitingReason" IS NULL
       AND ("notBefore" IS NULL OR "notBefore" <= ?) AND NOT ("nextRunKind" = 'initial' AND "dependsOn" <> '[]')
       AND ("workspaceId" IN (SELECT "value" FROM json_each(?))
         OR ("workspaceId" IS NULL AND "poolId" IN (SELECT "poolId" FROM "PoolMember" WHERE "workspaceId" IN (SELECT "value" FROM json_each(?)))))
       RETURNING "id", "workspaceId"`,
    reason, sqlDate(new Date()), sqlDate(now), JSON.stringify(openWorkspaces), JSON.stringify(openWorkspaces),
  );
  for (const row of rows) publish("task.updated", Number(row.id), row.workspaceId === null ? null : Number(row.workspaceId), "TODO");
  return rows.length;
}

/**
 * Waiting reasons of TODO tasks, written only where they change: one statement per distinct
 * reason however many tasks share it (200 tasks waiting for one quota reset cost one write).
 */
export async function setWaitingReasons(entries: { id: number; reason: string | null }[]): Promise<number> {
  const byReason = new Map<string | null, number[]>();
  for (const { id, reason } of entries) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
  let changed = 0;
  for (const [reason, ids] of byReason) {
    const placeholders = ids.map(() => "?").join(", ");
    const rows = await db().$queryRawUnsafe<{ id: number; workspaceId: number | null }[]>(
      `UPDATE "Task" SET "waitingReason" = ?, "updatedAt" = ? WHERE "status" = 'TODO' AND "id" IN (${placeholders}) AND "waitingReason" IS NOT ? RETURNING "id", "workspaceId"`,
      reason, sqlDate(new Date()), ...ids, reason,
    );
    for (const row of rows) publish("task.updated", Number(row.id), row.workspaceId === null ? null : Number(row.workspaceId), "TODO");
    changed += rows.length;
  }
  return changed;
}

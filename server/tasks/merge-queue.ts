import "server-only";
import { requirePlaced } from "@/server/lifecycle/placed";
import { conflict } from "@/lib/errors";
import type { MergeQueueDto } from "@/lib/schemas/merge-queue";
import type { TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { transportFor } from "@/server/exec/transport-for";
import { branchExists } from "@/server/git/repo";
import { taskBranchName } from "@/server/git/worktree";
import { services } from "@/server/services";
import { findTask, getTask } from "./service";
import { findWorkspace } from "@/server/workspaces/service";
import { leave } from "@/server/merge-queue/steps";
import { closeEntry, insertEntry, queuedEntries, queuedEntryOf, reorderEntries, toEntryDto } from "@/server/merge-queue/store";

/** What the API asks of the merge queue: enqueue, remove, read and reorder a workspace's queue. */

const HISTORY = 50;

/** Queues a DONE task that has a branch; it lands after those queued before it. */
export async function enqueueTask(id: number, options: { deleteBranch?: boolean } = {}): Promise<TaskDto> {
  const task = requirePlaced(await findTask(id));
  if (task.status !== "DONE") throw conflict("task_not_done", `Task ${id} is ${task.status}: only a DONE task can be queued for merging.`);
  if (task.mergedAt) throw conflict("task_merged", `Task ${id} is already merged.`);
  const workspace = await findWorkspace(task.workspaceId);
  if (!task.worktreePath || !(await branchExists(transportFor(workspace), workspace.path, taskBranchName(id)))) {
    throw conflict("no_branch", `Task ${id} has no branch to merge: it has not run.`);
  }
  await insertEntry({ workspaceId: task.workspaceId, taskId: id, deleteBranch: options.deleteBranch ?? false });
  services().mergeQueue.poke(task.workspaceId);
  return getTask(id);
}

/** Takes a task out of the queue; a stopped update in its worktree is aborted. */
export async function dequeueTask(id: number): Promise<TaskDto> {
  const task = requirePlaced(await findTask(id));
  const entry = await queuedEntryOf(id);
  if (!entry) throw conflict("not_queued", `Task ${id} is not in the merge queue.`);
  if (entry.step === "resolving" && (task.status === "TODO" || task.status === "RUNNING")) {
    throw conflict("task_resolving", `Task ${id}'s agent is resolving a conflict for the merge queue: cancel that run first.`);
  }
  if (entry.step === "landing" || entry.step === "cleanup") throw conflict("task_landing", `Task ${id} is landing on its base right now.`);
  const workspace = await findWorkspace(task.workspaceId);
  if (entry.step === "waiting") await closeEntry(entry, "left", "Removed by the user.");
  else await leave({ entry, task, transport: transportFor(workspace) }, "Removed by the user.", []);
  services().mergeQueue.poke(task.workspaceId);
  return getTask(id);
}

export async function workspaceMergeQueue(workspaceId: number): Promise<MergeQueueDto> {
  await findWorkspace(workspaceId);
  const [order, history] = await Promise.all([
    queuedEntries(workspaceId),
    db().mergeQueueEntry.findMany({ where: { workspaceId, state: { not: "queued" } }, orderBy: [{ finishedAt: "desc" }, { id: "desc" }], take: HISTORY }),
  ]);
  return { workspaceId, order: order.map((entry, index) => toEntryDto(entry, index + 1)), history: history.map((entry) => toEntryDto(entry, null)) };
}

export async function reorderMergeQueue(workspaceId: number, taskIds: number[]): Promise<MergeQueueDto> {
  await findWorkspace(workspaceId);
  await reorderEntries(workspaceId, taskIds);
  services().mergeQueue.poke(workspaceId);
  return workspaceMergeQueue(workspaceId);
}

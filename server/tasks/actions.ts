import "server-only";
import { requirePlaced } from "@/server/lifecycle/placed";
import type { RunKind, TaskStatus } from "@/lib/enums";
import { AppError, conflict } from "@/lib/errors";
import { crashPoint } from "@/server/lifecycle/crash-point";
import type { PromptHistoryEntry, TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import type { Task, Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { transportFor } from "@/server/exec/transport-for";
import { branchExists } from "@/server/git/repo";
import { branchDiff, type BranchDiff } from "@/server/git/diff";
import { MergeRefusedError } from "@/server/git/errors";
import { mergeBranch, type MergeResult } from "@/server/git/merge";
import { removeWorktree, taskBranchName, taskStashMessage } from "@/server/git/worktree";
import { cancelQueued, finishTask, requeueFinished, type VerificationFields } from "@/server/lifecycle/task-state";
import { taskRunDir, taskSessionName } from "@/server/runs/session";
import { services } from "@/server/services";
import { keepTaskUsage } from "@/server/usage/deleted";
import { findTask, getTask } from "./service";

const FINISHED = ["DONE", "FAILED"];

async function taskWithWorkspace(id: number): Promise<Task & { workspaceId: number; workspace: Workspace }> {
  const task = requirePlaced(await findTask(id));
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: task.workspaceId } });
  return { ...task, workspace };
}

/** TODO: failed at once. RUNNING: the agent's process group is stopped; worktree and commits stay. */
export async function cancelTask(id: number): Promise<TaskDto> {
  const task = await findTask(id);
  if (task.status === "TODO" && (await cancelQueued(id, task.workspaceId))) return getTask(id);
  const current = await findTask(id);
  if (current.status !== "RUNNING") throw conflict("task_not_running", `Task ${id} is ${current.status}: there is nothing to cancel.`);
  // RUNNING in the database but supervised by no process (none started the services): nothing runs it.
  if (!(await services().runControl.cancel(id))) await finishTask({ taskId: id, workspaceId: current.workspaceId, status: "FAILED", reason: "Cancelled by the user." });
  return getTask(id);
}

/** Queues a finished task again in place (same worktree and branch) with a new history entry. */
async function requeue(id: number, kind: RunKind, prompt: string, fields?: VerificationFields): Promise<TaskDto> {
  const task = await findTask(id);
  if (!FINISHED.includes(task.status)) throw conflict("task_not_finished", `Task ${id} is ${task.status}: wait until it is DONE or FAILED.`);
  // A pool task cancelled before placement has no session to continue; a retry queues it for the pool again.
  if (kind !== "retry") requirePlaced(task);
  const history = parseJson<PromptHistoryEntry[]>(task.promptHistory, []);
  history.push({ prompt, at: new Date().toISOString(), kind });
  if (!(await requeueFinished({ taskId: id, workspaceId: task.workspaceId, from: task.status as TaskStatus, kind, history, fields }))) {
    throw conflict("task_changed", `Task ${id} changed meanwhile; reload and try again.`);
  }
  return getTask(id);
}

/** A person's follow-up; `fields` says how it leaves the review (request changes). */
export const continueTask = (id: number, prompt: string, fields?: VerificationFields) => requeue(id, "continue", prompt, fields);

export async function retryTask(id: number): Promise<TaskDto> {
  const task = await findTask(id);
  return requeue(id, "retry", task.prompt);
}

export async function taskDiff(id: number): Promise<BranchDiff & { branch: string; baseBranch: string }> {
  const task = await taskWithWorkspace(id);
  const branch = taskBranchName(task.id);
  const transport = transportFor(task.workspace);
  if (!(await branchExists(transport, task.workspace.path, branch))) {
    throw conflict("no_branch", `Task ${id} has no branch yet: it has not run.`);
  }
  const diff = await branchDiff(transport, { repoPath: task.workspace.path, baseBranch: task.workspace.baseBranch, branch });
  return { ...diff, branch, baseBranch: task.workspace.baseBranch };
}

/** Merges task-{id} into the base branch; on success the worktree goes, the branch stays unless asked. */
export async function mergeTask(id: number, options: { deleteBranch?: boolean }): Promise<{ task: TaskDto; merge: MergeResult; stashed: string[] }> {
  const task = await taskWithWorkspace(id);
  if (task.status === "RUNNING") throw conflict("task_running", `Task ${id} is running: wait for it to finish before merging.`);
  const branch = taskBranchName(task.id);
  const transport = transportFor(task.workspace);
  if (!(await branchExists(transport, task.workspace.path, branch))) throw conflict("no_branch", `Task ${id} has no branch to merge: it has not run.`);
  let merge: MergeResult;
  try {
    merge = await mergeBranch(transport, { repoPath: task.workspace.path, baseBranch: task.workspace.baseBranch, branch });
  } catch (error) {
    if (error instanceof MergeRefusedError) throw new AppError(`conflict:merge_${error.code}`, error.message, { files: error.files });
    throw error;
  }
  // A crash here leaves the base merged and the task unmarked: merging again finds it up to date and marks it.
  crashPoint("merged-unrecorded");
  await db().task.update({ where: { id }, data: { mergedAt: new Date() } });
  let stashed: string[] = [];
  if (task.worktreePath) {
    // Changes not committed in the worktree (a person's edits in its terminal) are stashed, not lost.
    try {
      ({ stashed } = await removeWorktree(transport, { repoPath: task.workspace.path, worktreePath: task.worktreePath, branch, deleteBranch: options.deleteBranch ?? false, stashMessage: taskStashMessage(id, "merged") }));
    } catch (error) {
      console.error(`[task ${id}] removing the merged worktree failed`, error);
    }
  }
  services().bus.publishBoard({ type: "task.merged", taskId: id, workspaceId: task.workspaceId, status: task.status as TaskDto["status"] });
  services().scheduler.poke("merged");
  return { task: await getTask(id), merge, stashed };
}

/**
 * What a deleted task leaves on its machine goes too: its tmux session (a terminal may have made
 * one), its worktree and its run folder (the agents' logs). Its branch stays unless merged or asked.
 */
async function removeTaskArtifacts(task: Task & { workspace: Workspace }, deleteBranch: boolean): Promise<void> {
  const transport = transportFor(task.workspace);
  const warn = (what: string) => (error: unknown) => console.error(`[task ${task.id}] removing ${what} failed`, error);
  await transport.exec(["tmux", "kill-session", "-t", `=${await taskSessionName(task.id)}`], { cwd: "/" }).catch(warn("the tmux session"));
  if (!task.worktreePath) return;
  // Without deleteBranch, changes not committed in the worktree are stashed in the repository
  // (the branch stays, and so does what was on its way to it); with it (force), everything goes.
  await removeWorktree(transport, {
    repoPath: task.workspace.path, worktreePath: task.worktreePath, branch: taskBranchName(task.id),
    deleteBranch: deleteBranch || Boolean(task.mergedAt), force: deleteBranch, stashMessage: taskStashMessage(task.id, "deleted"),
  }).catch(warn("the worktree"));
  await transport.exec(["rm", "-rf", "--", taskRunDir(task.worktreePath, task.id)], { cwd: "/" }).catch(warn("the run folder"));
}

/** Deletes a task that is not running, with what it left on its machine. */
export async function deleteTask(id: number, options: { deleteBranch: boolean }): Promise<void> {
  const task = await findTask(id);
  if (task.status === "RUNNING") throw conflict("task_running", `Task ${id} is running: cancel it before deleting it.`);
  // A pool task not placed yet left nothing on any host.
  if (task.workspaceId !== null) await removeTaskArtifacts(await taskWithWorkspace(id), options.deleteBranch);
  // Its runs' usage is kept in the same transaction, under the same condition (server/usage/deleted.ts).
  const [, { count }] = await db().$transaction([keepTaskUsage(id), db().task.deleteMany({ where: { id, status: { not: "RUNNING" } } })]);
  if (count === 0) throw conflict("task_running", `Task ${id} started meanwhile: cancel it before deleting it.`);
  services().bus.publishBoard({ type: "task.deleted", taskId: id, workspaceId: task.workspaceId, status: null });
}

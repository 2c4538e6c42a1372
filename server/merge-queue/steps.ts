import "server-only";
import { db } from "@/server/db/client";
import type { MergeQueueEntry, Task, Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import type { Transport } from "@/server/exec/transport";
import { MergeRefusedError } from "@/server/git/errors";
import { landFastForward } from "@/server/git/land";
import { isAncestor, resolveCommit } from "@/server/git/repo";
import { abortUpdate, continueUpdate, filesWithMarkers, startUpdate, updateInProgress, type UpdateOutcome } from "@/server/git/update-branch";
import { ensureWorktree, removeWorktree, stashNote, taskBranchName, taskStashMessage } from "@/server/git/worktree";
import { markMerged, requeueResolve } from "@/server/lifecycle/task-state";
import { runPhase, type PhaseResult } from "@/server/verify/phase";
import { checkFollowUp, tailWithin } from "@/server/verify/prompts";
import { refreshChangedFiles } from "./changed-files";
import { conflictLeftReason, resolvePrompt } from "./prompts";
import { closeEntry, moveStep } from "./store";

/**
 * The steps of the queue's head, each idempotent and resumable from the database after a crash:
 * updating (rebase or merge onto the base, in the task's worktree) -> resolving (a conflict the
 * agent resolves; repeated per conflicting commit) -> checking (the check command on the result)
 * -> landing (one atomic fast-forward of the base) -> cleanup (mark merged, remove the worktree).
 * A step returns "next" to go on at once, "wait" when it waits for an agent run.
 */

export type StepResult = "next" | "wait";

export interface StepContext {
  entry: MergeQueueEntry;
  task: Task;
  workspace: Workspace;
  transport: Transport;
  /** True once the server is stopping: a command that fails then may have failed for that. */
  stopping?: () => boolean;
}

/** More resolve runs than this for one entry: the history is too tangled for the queue. */
const MAX_RESOLVE_RUNS = 10;

const baseRef = (workspace: Workspace) => `refs/heads/${workspace.baseBranch}`;

export async function stepUpdating(ctx: StepContext): Promise<StepResult> {
  const { entry, task, workspace, transport } = ctx;
  const worktreePath = task.worktreePath!;
  const branch = taskBranchName(task.id);
  // A crash mid-update left the rebase (or merge) stopped: start it over from the branch as it was.
  if ((await transport.pathExists(worktreePath)) && (await updateInProgress(transport, worktreePath))) await abortUpdate(transport, worktreePath);
  await ensureWorktree(transport, { repoPath: workspace.path, worktreePath, branch, baseBranch: workspace.baseBranch });
  const originalTip = entry.originalTip ?? (await resolveCommit(transport, workspace.path, `refs/heads/${branch}`));
  const base = await resolveCommit(transport, workspace.path, baseRef(workspace));
  if (await isAncestor(transport, worktreePath, base, "HEAD")) {
    return (await moveStep(entry, "checking", { originalTip, baseSha: base })) ? "next" : "wait";
  }
  const outcome = await startUpdate(transport, worktreePath, base, workspace.updateStrategy === "merge" ? "merge" : "rebase");
  return afterUpdate(ctx, outcome, { originalTip, baseSha: base });
}

async function afterUpdate(ctx: StepContext, outcome: UpdateOutcome, data: { originalTip?: string; baseSha?: string } = {}): Promise<StepResult> {
  const { entry, task, workspace, transport } = ctx;
  if (outcome.kind === "updated") {
    await refreshChangedFiles(task.id);
    return (await moveStep(entry, "checking", { ...data, conflictFiles: "[]" })) ? "next" : "wait";
  }
  const base = data.baseSha ?? entry.baseSha!;
  if (!workspace.autoResolve || entry.resolveRuns >= MAX_RESOLVE_RUNS) {
    return leave(ctx, conflictLeftReason({ branch: taskBranchName(task.id), baseBranch: workspace.baseBranch, files: outcome.files, why: workspace.autoResolve ? "too-many" : "no-auto-resolve" }), outcome.files);
  }
  const prompt = resolvePrompt({ branch: taskBranchName(task.id), baseBranch: workspace.baseBranch, baseSha: base, files: outcome.files, commit: await stoppedCommit(transport, task.worktreePath!) });
  if (!(await moveStep(entry, "resolving", { ...data, conflictFiles: JSON.stringify(outcome.files), resolveRuns: entry.resolveRuns + 1 }))) {
    await abortUpdate(transport, task.worktreePath!);
    return "wait";
  }
  if (!(await requeueResolve({ taskId: task.id, workspaceId: workspace.id, prompt }))) {
    return leave(ctx, `Task ${task.id} is no longer DONE, so its agent could not resolve the conflict; the update was aborted.`, outcome.files);
  }
  return "wait";
}

/** The subject of the commit a rebase stopped at, for the resolver's prompt. */
async function stoppedCommit(t: Transport, worktree: string): Promise<string | null> {
  const result = await t.exec(["git", "log", "-1", "--format=%h %s", "REBASE_HEAD", "--"], { cwd: worktree });
  return result.exitCode === 0 ? result.stdout.trim() || null : null;
}

export async function stepResolving(ctx: StepContext): Promise<StepResult> {
  const { entry, task, transport } = ctx;
  if (task.status === "TODO" || task.status === "RUNNING") return "wait";
  const worktreePath = task.worktreePath!;
  const files = parseJson<string[]>(entry.conflictFiles, []);
  if (!(await updateInProgress(transport, worktreePath))) return (await moveStep(entry, "updating")) ? "next" : "wait";
  const run = await db().run.findFirst({ where: { taskId: task.id, kind: "resolve" }, orderBy: { id: "desc" } });
  if (!run || run.status !== "DONE") {
    return leave(ctx, `The agent's run resolving the conflict in ${files.join(", ")} ${run?.errorMessage ? `failed: ${run.errorMessage}` : "failed"}. The update was aborted; ${taskBranchName(task.id)} is as it was.`, files);
  }
  const leftover = await filesWithMarkers(transport, worktreePath, files);
  if (leftover.length > 0) {
    return leave(ctx, `Conflict markers remain in ${leftover.join(", ")} after the agent's resolve run. The update was aborted; ${taskBranchName(task.id)} is as it was.`, leftover);
  }
  return afterUpdate(ctx, await continueUpdate(transport, worktreePath, files));
}

export async function stepChecking(ctx: StepContext): Promise<StepResult> {
  const { entry, task, workspace, transport } = ctx;
  if (workspace.checkCommand) {
    const result = await runPhase(transport, { phase: "check", script: workspace.checkCommand, cwd: task.worktreePath!, timeoutSec: workspace.checkTimeoutSec, env: { AI_SLAVE_TASK_ID: String(task.id) } }, { append: () => undefined });
    if (result.state !== "PASSED") {
      if (entry.fixRuns < workspace.fixRounds) return sendToFixRound(ctx, result);
      const how = result.state === "TIMED_OUT" ? `did not finish in ${workspace.checkTimeoutSec} s` : `failed with exit code ${result.exitCode ?? "none"}`;
      return leave(ctx, `The check ${how} on the branch brought up to date with ${workspace.baseBranch}; the base is untouched. Its output ends with:\n${tailWithin(result.outputTail, 4 * 1024)}`, []);
    }
  }
  return (await moveStep(entry, "landing")) ? "next" : "wait";
}

/**
 * The check failed on the updated branch and fix rounds remain: the agent gets the output (a `fix`
 * run on the updated branch, verified as usual); the entry waits in place and starts over once the
 * task is DONE again, without holding up the entries behind it.
 */
async function sendToFixRound(ctx: StepContext, result: PhaseResult): Promise<StepResult> {
  const { entry, task, workspace } = ctx;
  const round = entry.fixRuns + 1;
  const prompt = checkFollowUp({ command: workspace.checkCommand!, exitCode: result.exitCode, timedOut: result.state === "TIMED_OUT", outputTail: result.outputTail, round, rounds: workspace.fixRounds });
  if (!(await moveStep(entry, "waiting", { fixRuns: round }))) return "wait";
  if (!(await requeueResolve({ taskId: task.id, workspaceId: workspace.id, prompt, kind: "fix" }))) {
    return leave(ctx, `The check failed on the updated branch and task ${task.id} is no longer DONE, so no fix round could start.`, []);
  }
  return "next";
}

export async function stepLanding(ctx: StepContext): Promise<StepResult> {
  const { entry, task, workspace, transport } = ctx;
  const tip = await resolveCommit(transport, workspace.path, `refs/heads/${taskBranchName(task.id)}`);
  try {
    const outcome = await landFastForward(transport, workspace.path, workspace.baseBranch, tip);
    if (outcome.kind === "stale") return (await moveStep(entry, "updating")) ? "next" : "wait";
    return (await moveStep(entry, "cleanup", { landedSha: outcome.head })) ? "next" : "wait";
  } catch (error) {
    if (error instanceof MergeRefusedError) return leave(ctx, error.message, error.files);
    throw error;
  }
}

export async function stepCleanup(ctx: StepContext): Promise<StepResult> {
  const { entry, task, workspace, transport } = ctx;
  await markMerged({ taskId: task.id, workspaceId: workspace.id });
  let note: string | null = null;
  if (task.worktreePath) {
    // What a check left in the worktree (or a person's edits) is stashed, not lost, and the worktree goes.
    try {
      const { stashed } = await removeWorktree(transport, { repoPath: workspace.path, worktreePath: task.worktreePath, branch: taskBranchName(task.id), deleteBranch: entry.deleteBranch, stashMessage: taskStashMessage(task.id, "merged") });
      note = stashNote(task.id, stashed, "merged");
    } catch (error) {
      // A stop cut it short (a kill, or the stop's grace ran out): the entry keeps this step, and the next start removes it.
      if (ctx.stopping?.()) throw error;
      console.error(`[merge queue] removing the worktree of task ${task.id} failed`, error);
      note = `Landed, but its worktree could not be removed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  await closeEntry(entry, "merged", note, entry.landedSha ?? undefined);
  return "next";
}

/** Takes the entry out of the queue with the reason; a stopped update is aborted first. */
export async function leave(ctx: { entry: MergeQueueEntry; task: Pick<Task, "worktreePath"> | null; transport: Transport }, reason: string, files: string[]): Promise<StepResult> {
  const { entry, task, transport } = ctx;
  if (task?.worktreePath && (await transport.pathExists(task.worktreePath)) && (await updateInProgress(transport, task.worktreePath))) {
    await abortUpdate(transport, task.worktreePath);
  }
  await db().mergeQueueEntry.updateMany({ where: { id: entry.id, state: "queued" }, data: { conflictFiles: JSON.stringify(files) } });
  await closeEntry(entry, "left", reason);
  return "next";
}

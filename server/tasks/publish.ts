import "server-only";
import { requirePlaced } from "@/server/lifecycle/placed";
import { AppError, conflict, unprocessable } from "@/lib/errors";
import type { TaskDto, TaskPushResult } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { transportFor } from "@/server/exec/transport-for";
import { fetchPullRequest, openPullRequest } from "@/server/forge/client";
import { forgeConfig } from "@/server/forge/config";
import { forgeProjectOf } from "@/server/forge/remote";
import { pushBranch, remoteUrl } from "@/server/git/push";
import { branchExists } from "@/server/git/repo";
import { taskBranchName } from "@/server/git/worktree";
import { services } from "@/server/services";
import { findTask, getTask } from "./service";
import { usageByTask } from "./usage";

/** Push a task branch to the workspace's remote; open (or refresh) its pull request. */

async function taskAndWorkspace(id: number) {
  const task = requirePlaced(await findTask(id));
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: task.workspaceId } });
  const transport = transportFor(workspace);
  const branch = taskBranchName(id);
  if (!(await branchExists(transport, workspace.path, branch))) throw conflict("no_branch", `Task ${id} has no branch yet: it has not run.`);
  return { task, workspace, transport, branch };
}

export async function pushTask(id: number): Promise<TaskPushResult> {
  const { workspace, transport, branch } = await taskAndWorkspace(id);
  const outcome = await pushBranch(transport, workspace.path, workspace.gitRemote, branch);
  if (outcome.kind === "no-remote") throw unprocessable("no_remote", `The repository ${workspace.path} has no remote named ${workspace.gitRemote}: add it, or set the workspace's gitRemote.`);
  if (outcome.kind === "rejected") throw conflict("push_rejected", `Pushing ${branch} to ${workspace.gitRemote} failed: ${outcome.message}`);
  return { remote: workspace.gitRemote, branch, sha: outcome.sha };
}

/** The PR's text: the prompt, the agent's last summary, check, review and cost. */
async function pullRequestBody(id: number): Promise<{ title: string; body: string }> {
  const task = await findTask(id);
  const usage = (await usageByTask([id])).get(id);
  const lastWork = await db().run.findFirst({ where: { taskId: id, kind: { notIn: ["review", "resolve"] }, status: "DONE" }, orderBy: { id: "desc" }, select: { checkState: true } });
  const review = await db().run.findFirst({ where: { taskId: id, kind: "review", status: "DONE" }, orderBy: { id: "desc" }, select: { reviewVerdict: true, reviewSummary: true } });
  const lines = [
    task.prompt,
    "",
    "---",
    `Check: ${lastWork?.checkState ?? task.checkState}`,
    `Review: ${task.reviewState}${review?.reviewSummary ? ` (${review.reviewVerdict}: ${review.reviewSummary})` : ""}`,
    `Agent: ${task.backend} ${task.model}${usage ? `, cost $${usage.costUsd.toFixed(4)}` : ""}`,
    "",
    `Opened by AI-Slave for task #${task.number}.`,
  ];
  return { title: task.title, body: lines.join("\n") };
}

/**
 * Pushes the branch and opens a pull request (GitHub) or merge request (GitLab) against the base;
 * when the task has one already, its state is refreshed instead.
 */
export async function openTaskPullRequest(id: number): Promise<TaskDto> {
  const { task, workspace, transport, branch } = await taskAndWorkspace(id);
  const url = await remoteUrl(transport, workspace.path, workspace.gitRemote);
  if (url === null) throw unprocessable("no_remote", `The repository ${workspace.path} has no remote named ${workspace.gitRemote}.`);
  const project = forgeProjectOf(url);
  if (!project) throw unprocessable("forge_project", `Cannot tell the forge project from ${workspace.gitRemote}'s URL.`);
  const config = await forgeConfig(project.forge);
  let info;
  if (task.pullRequestNumber !== null) {
    info = await fetchPullRequest(project, config, task.pullRequestNumber);
  } else {
    await pushTask(id);
    const { title, body } = await pullRequestBody(id);
    info = await openPullRequest(project, config, { head: branch, base: workspace.baseBranch, title, body });
  }
  if (!info.url || !Number.isFinite(info.number)) throw new AppError("unprocessable:forge_refused", "The forge answered without the pull request's URL and number.");
  await db().task.update({ where: { id }, data: { pullRequestUrl: info.url, pullRequestNumber: info.number, pullRequestState: info.state } });
  services().bus.publishBoard({ type: "task.updated", taskId: id, workspaceId: task.workspaceId, status: null });
  return getTask(id);
}

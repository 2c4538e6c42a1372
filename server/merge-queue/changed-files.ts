import "server-only";
import { db } from "@/server/db/client";
import { transportFor } from "@/server/exec/transport-for";
import { branchExists } from "@/server/git/repo";
import { runGit, splitNul } from "@/server/git/run-git";
import { taskBranchName } from "@/server/git/worktree";

/**
 * The files a task branch changes, stored on the task for conflict prediction: refreshed when a
 * run ends and when the merge queue brought the branch up to date.
 */
/** Stores the files the task branch changes against the merge base with its base branch. */
export async function refreshChangedFiles(taskId: number): Promise<string[]> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!task?.workspace) return [];
  const transport = transportFor(task.workspace);
  const branch = taskBranchName(task.id);
  if (!(await branchExists(transport, task.workspace.path, branch))) return [];
  const files = splitNul(await runGit(transport, task.workspace.path, ["diff", "--name-only", "-z", `${task.workspace.baseBranch}...${branch}`, "--"]));
  await db().task.update({ where: { id: taskId }, data: { changedFiles: JSON.stringify(files) } });
  return files;
}

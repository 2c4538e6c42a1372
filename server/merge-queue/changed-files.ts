import "server-only";
import { db } from "@/server/db/client";
import { transportFor } from "@/server/exec/transport-for";
import type { Transport } from "@/server/exec/transport";
import { GitError } from "@/server/git/errors";
import { GIT_ENV, GIT_SHELL_FUNCTION, assertNotOption, splitNul } from "@/server/git/run-git";
import { taskBranchName } from "@/server/git/worktree";

/**
 * The files a task branch changes, stored on the task for conflict prediction: refreshed when a
 * run ends and when the merge queue brought the branch up to date.
 */
/** Stores the files the task branch changes against the merge base with its base branch. */
export async function refreshChangedFiles(taskId: number): Promise<string[]> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!task?.workspace) return [];
  const files = await branchChangedFiles(transportFor(task.workspace), task.workspace.path, task.workspace.baseBranch, taskBranchName(task.id));
  if (files === null) return [];
  await db().task.update({ where: { id: taskId }, data: { changedFiles: JSON.stringify(files) } });
  return files;
}

/**
 * The files `branch` changes against its merge base with `base`, or null when there is no such
 * branch: one command (one round trip to a remote host instead of two).
 */
export async function branchChangedFiles(t: Transport, repoPath: string, base: string, branch: string): Promise<string[] | null> {
  assertNotOption(base, branch);
  const result = await t.exec(["sh", "-c", CHANGED_FILES, "sh", branch, base], { cwd: repoPath, env: GIT_ENV, timeoutMs: 10 * 60_000 });
  if (result.exitCode === NO_BRANCH) return null;
  if (result.exitCode !== 0) throw new GitError(["diff", "--name-only", "-z", `${base}...${branch}`, "--"], result.exitCode, result.stderr);
  return splitNul(result.stdout);
}

const NO_BRANCH = 3;

/** branchExists, then the diff; exits NO_BRANCH when show-ref says the branch is missing (its 1). */
const CHANGED_FILES = [
  GIT_SHELL_FUNCTION,
  'g show-ref --verify --quiet "refs/heads/$1"',
  `case $? in 0) ;; 1) exit ${NO_BRANCH} ;; *) echo "git show-ref could not read refs/heads/$1" >&2; exit 4 ;; esac`,
  'g diff --name-only -z "$2...$1" --',
].join("\n");

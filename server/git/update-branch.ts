import path from "node:path";
import type { UpdateStrategy } from "@/lib/enums";
import type { Transport } from "@/server/exec/transport";
import { GitError } from "./errors";
import { identityArgs } from "./identity";
import { resolveCommit } from "./repo";
import { assertNotOption, runGit, splitNul, tryGit } from "./run-git";

/**
 * Brings a task branch up to date with a base commit inside the task's worktree, by rebase or
 * merge, and carries a conflict through: the operation stays stopped with the markers in the
 * files until the caller continues or aborts it. Only the worktree's own HEAD and branch move;
 * the base branch is never touched here.
 */

export type UpdateOutcome = { kind: "updated"; head: string } | { kind: "conflict"; files: string[] };

/** The operation a worktree is stopped in, if any. */
export async function updateInProgress(t: Transport, worktree: string): Promise<UpdateStrategy | null> {
  for (const [marker, strategy] of [["rebase-merge", "rebase"], ["rebase-apply", "rebase"], ["MERGE_HEAD", "merge"]] as const) {
    const where = (await runGit(t, worktree, ["rev-parse", "--git-path", marker])).trim();
    if (await t.pathExists(path.posix.resolve(worktree, where))) return strategy;
  }
  return null;
}

/** Files with unresolved conflicts in the index. */
export async function conflictedFiles(t: Transport, worktree: string): Promise<string[]> {
  return splitNul(await runGit(t, worktree, ["diff", "--name-only", "--diff-filter=U", "-z"]));
}

/** Starts the update of the worktree's branch onto `base` (a commit). */
export async function startUpdate(t: Transport, worktree: string, base: string, strategy: UpdateStrategy): Promise<UpdateOutcome> {
  assertNotOption(base);
  const identity = await identityArgs(t, worktree);
  const args = strategy === "rebase"
    ? [...identity, "rebase", "--no-autostash", "--no-update-refs", "--quiet", base]
    : [...identity, "merge", "--no-edit", "--no-ff", "--quiet", "-m", `Merge ${base.slice(0, 12)} into the task branch`, base];
  return afterStep(t, worktree, args, await tryGit(t, worktree, args));
}

/**
 * Stages the resolved files and goes on: the next commit of a rebase may stop at its own
 * conflict. A commit that the resolution made empty is skipped, as `git rebase` itself offers.
 */
export async function continueUpdate(t: Transport, worktree: string, files: string[]): Promise<UpdateOutcome> {
  if (files.length > 0) await runGit(t, worktree, ["add", "-A", "--", ...files]);
  const strategy = await updateInProgress(t, worktree);
  if (strategy === null) return { kind: "updated", head: await resolveCommit(t, worktree, "HEAD") };
  const identity = await identityArgs(t, worktree);
  const args = strategy === "rebase" ? [...identity, "rebase", "--continue"] : [...identity, "commit", "--no-edit", "--quiet"];
  const result = await tryGit(t, worktree, args);
  if (result.exitCode !== 0 && strategy === "rebase" && (await conflictedFiles(t, worktree)).length === 0 && (await updateInProgress(t, worktree))) {
    const skipArgs = [...identity, "rebase", "--skip"];
    return afterStep(t, worktree, skipArgs, await tryGit(t, worktree, skipArgs));
  }
  return afterStep(t, worktree, args, result);
}

/** Aborts a stopped rebase or merge: the branch is back where it was before the update. */
export async function abortUpdate(t: Transport, worktree: string): Promise<void> {
  const strategy = await updateInProgress(t, worktree);
  if (strategy === "rebase") await runGit(t, worktree, ["rebase", "--abort"]);
  if (strategy === "merge") await runGit(t, worktree, ["merge", "--abort"]);
}

/** Files among `files` that still hold a conflict marker line. */
export async function filesWithMarkers(t: Transport, worktree: string, files: string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const result = await t.exec(["grep", "-l", "-E", "--", "^(<<<<<<<|>>>>>>>)( |$)", ...files], { cwd: worktree });
  // 0: some match, 1: none, 2: a file is gone (a deletion resolves a conflict too).
  return result.stdout.split("\n").filter(Boolean);
}

async function afterStep(t: Transport, worktree: string, args: string[], result: { exitCode: number | null; stderr: string }): Promise<UpdateOutcome> {
  if (result.exitCode === 0 && (await updateInProgress(t, worktree)) === null) {
    return { kind: "updated", head: await resolveCommit(t, worktree, "HEAD") };
  }
  const files = await conflictedFiles(t, worktree);
  if (files.length > 0) return { kind: "conflict", files };
  throw new GitError(args, result.exitCode, result.stderr);
}

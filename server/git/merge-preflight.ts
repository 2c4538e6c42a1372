import type { Transport } from "@/server/exec/transport";
import { MergeRefusedError, listFiles } from "./errors";
import { trackedChanges } from "./repo";
import { runGit, splitNul, tryGit } from "./run-git";

export async function hasMergeHead(t: Transport, repoPath: string): Promise<boolean> {
  return (await tryGit(t, repoPath, ["rev-parse", "-q", "--verify", "MERGE_HEAD"])).exitCode === 0;
}

/**
 * Puts the base checkout on baseBranch; only a checkout without tracked changes is switched.
 * `onBranch`: the checked-out branch, as the caller read it (null: a detached HEAD).
 * Resolves whether it switched.
 */
export async function checkoutBase(t: Transport, repoPath: string, baseBranch: string, onBranch: string | null): Promise<boolean> {
  if (onBranch === baseBranch) return false;
  const where = onBranch ? `on ${onBranch}` : "on a detached HEAD";
  const changes = await trackedChanges(t, repoPath);
  if (changes.length > 0) {
    throw new MergeRefusedError(
      "wrong_branch",
      `${repoPath} is ${where}, not ${baseBranch}, and has uncommitted changes (${listFiles(changes)}): ` +
        `commit or stash them, or check out ${baseBranch} yourself.`,
      changes,
    );
  }
  const switched = await tryGit(t, repoPath, ["checkout", "--quiet", baseBranch, "--"]);
  if (switched.exitCode !== 0) {
    throw new MergeRefusedError(
      "wrong_branch",
      `${repoPath} is ${where} and could not check out ${baseBranch}: ${switched.stderr.trim()}`,
    );
  }
  return true;
}

/**
 * Tracked changes block a merge; untracked files only when the merge would overwrite them.
 * `read`: the checkout's tracked changes and untracked files, as the caller read them.
 */
export async function assertCleanBase(
  t: Transport,
  repoPath: string,
  baseBranch: string,
  mergeBase: string,
  tip: string,
  read: { changes: string[]; untracked: string[] },
): Promise<void> {
  const { changes } = read;
  if (changes.length > 0) {
    throw new MergeRefusedError(
      "dirty_base",
      `${baseBranch} in ${repoPath} has uncommitted changes (${listFiles(changes)}): commit or stash them first.`,
      changes,
    );
  }
  const inTheWay = await untrackedInTheWay(t, repoPath, mergeBase, tip, read.untracked);
  if (inTheWay.length > 0) {
    throw new MergeRefusedError(
      "dirty_base",
      `Untracked files in ${repoPath} would be overwritten by the merge (${listFiles(inTheWay)}): ` +
        "move or delete them first.",
      inTheWay,
    );
  }
}

/** Untracked files at paths the branch adds, which the merge would have to write. */
async function untrackedInTheWay(t: Transport, repoPath: string, mergeBase: string, tip: string, untrackedPaths: string[]): Promise<string[]> {
  const untracked = new Set(untrackedPaths);
  if (untracked.size === 0) return [];
  const args = ["diff", "--name-only", "--no-renames", "--diff-filter=A", "-z", mergeBase, tip, "--"];
  const added = splitNul(await runGit(t, repoPath, args));
  return added.filter((path) => untracked.has(path));
}

import type { MergeKind, MergeResult } from "@/lib/schemas/git";
import type { Transport } from "@/server/exec/transport";
import { GitError, MergeRefusedError, listFiles } from "./errors";
import { identityArgs } from "./identity";
import { assertCleanBase, checkoutBase, hasMergeHead } from "./merge-preflight";
import { currentBranch, headSha, holdsTreeOf, isAncestor, mergeBase, resolveCommit, trackedChanges, untrackedFiles } from "./repo";
import { withRepoLock } from "./repo-lock";
import { assertNotOption, runGit, splitNul, together, tryGit } from "./run-git";

export interface MergeBranchOptions {
  /** The base checkout: the workspace's own repository. */
  repoPath: string;
  baseBranch: string;
  /** The task's branch; its worktree need not exist. */
  branch: string;
}

export type { MergeKind, MergeResult } from "@/lib/schemas/git";

/**
 * Merges branch into baseBranch in repoPath: rules first (abort a leftover merge, be on the
 * base branch, no tracked changes, no untracked file in the way), then a fast-forward when
 * possible, else a merge commit. A conflict is aborted and the repository left as it was,
 * then reported as MergeRefusedError. The verdict comes from git's state afterwards. A checkout
 * that holds exactly the tip's files over the old base (a fast-forward killed between its index
 * and its ref) only gets its ref moved.
 */
export function mergeBranch(t: Transport, options: MergeBranchOptions): Promise<MergeResult> {
  const { repoPath, baseBranch, branch } = options;
  assertNotOption(baseBranch, branch);
  return withRepoLock(repoPath, async () => {
    // Reads that do not wait on each other go out together: on an SSH host each command is a
    // round trip, and reads sent together cost about one.
    const [tip, leftover, onBranch, head] = await together([
      resolveCommit(t, repoPath, branch),
      hasMergeHead(t, repoPath),
      currentBranch(t, repoPath),
      // An unborn HEAD is read again below, where its error is the one to show.
      headSha(t, repoPath).catch(() => null),
    ]);
    // A merge left half-done (a crash, an earlier attempt) is aborted before anything else.
    if (leftover) await runGit(t, repoPath, ["merge", "--abort"]);
    const switched = await checkoutBase(t, repoPath, baseBranch, onBranch);
    const before = leftover || switched || head === null ? await headSha(t, repoPath) : head;
    const [base, changes, untracked, upToDate] = await together([
      mergeBase(t, repoPath, before, tip),
      trackedChanges(t, repoPath),
      untrackedFiles(t, repoPath),
      isAncestor(t, repoPath, tip, before),
    ]);
    if (changes.length > 0 && base === before && (await holdsTreeOf(t, repoPath, tip))) {
      // A fast-forward to this tip cut short (the server killed with its git): finish it.
      await runGit(t, repoPath, ["update-ref", "-m", `ai-slave: finish the fast-forward to ${tip}`, `refs/heads/${baseBranch}`, tip, before]);
      return { kind: "fast-forward", head: await verifyMerged(t, options, before, tip, "fast-forward") };
    }
    await assertCleanBase(t, repoPath, baseBranch, base, tip, { changes, untracked });

    if (upToDate) return { kind: "up-to-date", head: before };
    const kind: MergeKind = base === before ? "fast-forward" : "merge-commit";
    const args =
      kind === "fast-forward"
        ? ["merge", "--ff-only", "--quiet", tip]
        : [...(await identityArgs(t, repoPath)), "merge", "--no-ff", "--no-edit", "--quiet", "-m", mergeMessage(branch), tip];
    const merged = await tryGit(t, repoPath, args);
    if (merged.exitCode !== 0) await failMerge(t, options, before, new GitError(args, merged.exitCode, merged.stderr));
    return { kind, head: await verifyMerged(t, options, before, tip, kind) };
  });
}

function mergeMessage(branch: string): string {
  return `Merge branch '${branch}'`;
}

/** Undoes a failed merge, then throws: a conflict as MergeRefusedError, anything else as is. */
async function failMerge(t: Transport, options: MergeBranchOptions, before: string, error: GitError): Promise<never> {
  const { repoPath, branch, baseBranch } = options;
  const conflicts = splitNul(await runGit(t, repoPath, ["diff", "--name-only", "--diff-filter=U", "-z"]));
  const conflicted = conflicts.length > 0 || (await hasMergeHead(t, repoPath));
  await restoreBase(t, repoPath, before);
  if (!conflicted) throw error;
  throw new MergeRefusedError(
    "conflict",
    `Merging ${branch} into ${baseBranch} conflicts in ${conflicts.length ? listFiles(conflicts) : "some files"}; ` +
      `nothing was changed. Resolve it on ${branch} (merge ${baseBranch} into it), then merge again.`,
    conflicts,
  );
}

/** Back to exactly `before`: merge --abort, and a hard reset only if that did not suffice. */
async function restoreBase(t: Transport, repoPath: string, before: string): Promise<void> {
  if (await hasMergeHead(t, repoPath)) await tryGit(t, repoPath, ["merge", "--abort"]);
  if (await isRestored(t, repoPath, before)) return;
  // Safe: the checkout had no tracked changes before the merge started.
  await runGit(t, repoPath, ["reset", "--hard", "--quiet", before]);
  if (!(await isRestored(t, repoPath, before))) {
    throw new GitError(["merge", "--abort"], null, `could not restore ${repoPath} to ${before} after a failed merge`);
  }
}

async function isRestored(t: Transport, repoPath: string, before: string): Promise<boolean> {
  const [head, changes, mergeHead] = await Promise.all([
    headSha(t, repoPath),
    trackedChanges(t, repoPath),
    hasMergeHead(t, repoPath),
  ]);
  return head === before && changes.length === 0 && !mergeHead;
}

/** Reads back what git did: still on the base branch, and HEAD contains the branch tip. */
async function verifyMerged(
  t: Transport,
  options: MergeBranchOptions,
  before: string,
  tip: string,
  kind: MergeKind,
): Promise<string> {
  const { repoPath, baseBranch } = options;
  const [head, onBranch, headParents, containsTip] = await together([
    headSha(t, repoPath),
    currentBranch(t, repoPath),
    kind === "fast-forward" ? Promise.resolve([]) : parents(t, repoPath, "HEAD"),
    isAncestor(t, repoPath, tip, "HEAD"),
  ]);
  const expected = kind === "fast-forward" ? head === tip : headParents.join(" ") === `${before} ${tip}`;
  if (onBranch === baseBranch && expected && containsTip) return head;
  throw new GitError(["merge", tip], 0, `git reported success but ${baseBranch} (${head}) does not contain ${tip}`);
}

async function parents(t: Transport, repoPath: string, commit: string): Promise<string[]> {
  const line = (await runGit(t, repoPath, ["rev-list", "--parents", "-n", "1", commit])).trim();
  return line.split(" ").slice(1);
}

import type { Transport } from "@/server/exec/transport";
import { MergeRefusedError, listFiles } from "./errors";
import { currentBranch, holdsTreeOf, isAncestor, resolveCommit, trackedChanges } from "./repo";
import { withRepoLock } from "./repo-lock";
import { assertNotOption, runGit, together, tryGit } from "./run-git";

export type LandOutcome =
  /** The base moved from `from` to `tip`. */
  | { kind: "landed"; from: string; head: string }
  /** The base already contains the tip: an earlier attempt landed it (a crash after the move). */
  | { kind: "already"; head: string }
  /** The base moved on since the branch was updated: update again. */
  | { kind: "stale"; head: string };

/**
 * Moves baseBranch forward to `tip`, only as a fast-forward. The move is one atomic ref update
 * (`git update-ref <ref> <new> <old>`, refused if the base moved meanwhile), so after a crash the
 * base is at its old commit or the new one, never between. When the base is checked out in the
 * user's checkout, that checkout must have no tracked changes (as merge refuses), and is then
 * fast-forwarded by `git merge --ff-only`, which moves the files, then the ref. A checkout whose
 * index and files are exactly the tip's (that merge cut short) only needs the ref moved.
 */
export function landFastForward(t: Transport, repoPath: string, baseBranch: string, tip: string): Promise<LandOutcome> {
  assertNotOption(baseBranch, tip);
  return withRepoLock(repoPath, async () => {
    const ref = `refs/heads/${baseBranch}`;
    // Reads that do not wait on each other go out together (an SSH host pays a round trip per
    // wave, not per command): the base and the checkout's branch, then where the tip stands
    // against the base and, only when the base is checked out, that checkout's changes.
    const [before, onBranch] = await together([resolveCommit(t, repoPath, ref), currentBranch(t, repoPath)]);
    const checkedOut = onBranch === baseBranch;
    const [alreadyIn, fastForward, changes] = await together([
      isAncestor(t, repoPath, tip, before),
      isAncestor(t, repoPath, before, tip),
      checkedOut ? trackedChanges(t, repoPath) : Promise.resolve([]),
    ]);
    if (alreadyIn) return { kind: "already", head: before };
    if (!fastForward) return { kind: "stale", head: before };
    if (checkedOut) {
      if (changes.length > 0 && (await holdsTreeOf(t, repoPath, tip))) {
        // A `git merge --ff-only` killed between its index and its ref (the server and its
        // commands stopped together): only the ref is left to move.
        await runGit(t, repoPath, ["update-ref", "-m", `ai-slave merge queue: finish the fast-forward to ${tip}`, ref, tip, before]);
        return { kind: "landed", from: before, head: await resolveCommit(t, repoPath, ref) };
      }
      if (changes.length > 0) {
        throw new MergeRefusedError(
          "dirty_base",
          `${baseBranch} is checked out in ${repoPath} with uncommitted changes (${listFiles(changes)}): commit or stash them, then queue the task again.`,
          changes,
        );
      }
      const merged = await tryGit(t, repoPath, ["merge", "--ff-only", "--quiet", tip]);
      if (merged.exitCode !== 0) throw new MergeRefusedError("dirty_base", `Fast-forwarding ${baseBranch} in ${repoPath} failed: ${merged.stderr.trim()}`);
    } else {
      await runGit(t, repoPath, ["update-ref", "-m", `ai-slave merge queue: fast-forward to ${tip}`, ref, tip, before]);
    }
    return { kind: "landed", from: before, head: await resolveCommit(t, repoPath, ref) };
  });
}

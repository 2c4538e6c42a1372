import type { Transport } from "@/server/exec/transport";
import { GitError, WorktreeError, listFiles } from "./errors";
import { branchExists, isAncestor, trackedChanges } from "./repo";
import { withRepoLock } from "./repo-lock";
import { identityArgs } from "./identity";
import { GIT_ENV, GIT_SHELL_FUNCTION, assertNotOption, runGit, splitNul, together, tryGit } from "./run-git";
import { gitCommonDir, inspectWorktree, listWorktrees } from "./worktree-inspect";

export interface EnsureWorktreeOptions {
  repoPath: string;
  worktreePath: string;
  branch: string;
  /** Where a new branch starts. */
  baseBranch: string;
  /**
   * The task made this branch in an earlier run. When false, an existing branch of that name with
   * commits the base lacks is someone else's work (a task of an earlier database, a person's
   * branch): the worktree is refused instead of building on it.
   */
  ownsBranch?: boolean;
}

/**
 * created: new branch and new worktree. attached: the branch existed, the worktree is new.
 * reused: a valid worktree was there. repaired: `git worktree repair` made it valid.
 * recreated: something else was at the path; it was moved aside and a worktree made.
 */
export type WorktreeAction = "created" | "attached" | "reused" | "repaired" | "recreated";

export interface EnsureWorktreeResult {
  worktreePath: string;
  branch: string;
  action: WorktreeAction;
  /** Where the non-worktree content found at the path was moved, if it was not empty. */
  movedAsidePath?: string;
  /** The new worktree's HEAD, when the one-round-trip path made it (saves asking again). */
  headSha?: string;
}

export function taskBranchName(taskId: number | string): string {
  return `task-${taskId}`;
}

/** `${workspacePath}-task-${id}` beside the workspace, or `${worktreeRoot}/task-${id}`. */
export function defaultWorktreePath(workspacePath: string, taskId: number | string, worktreeRoot?: string): string {
  const trim = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, "") : path);
  return worktreeRoot ? `${trim(worktreeRoot)}/task-${taskId}` : `${trim(workspacePath)}-task-${taskId}`;
}

/**
 * Makes worktreePath a valid worktree of repoPath on branch. An existing path is checked with
 * git, not trusted; what cannot be repaired is moved aside, never deleted. Commits on the
 * branch are never lost: the branch is only created when missing, never reset.
 */
export function ensureWorktree(t: Transport, options: EnsureWorktreeOptions): Promise<EnsureWorktreeResult> {
  assertNotOption(options.worktreePath, options.branch, options.baseBranch);
  return withRepoLock(options.repoPath, async () => {
    const fast = await addInOneTrip(t, options);
    if (fast) return { worktreePath: options.worktreePath, branch: options.branch, action: "created", headSha: fast };
    const commonDir = await gitCommonDir(t, options.repoPath);
    await runGit(t, options.repoPath, ["worktree", "prune"]);
    const result = (action: WorktreeAction, movedAsidePath?: string): EnsureWorktreeResult => ({
      worktreePath: options.worktreePath,
      branch: options.branch,
      action,
      ...(movedAsidePath ? { movedAsidePath } : {}),
    });
    if (!(await t.pathExists(options.worktreePath))) return result(await addWorktree(t, options));

    const state = await inspectWorktree(t, options.worktreePath, commonDir);
    if (state.kind === "valid") return result(await switchTo(t, options, state.branch, "reused"));
    await tryGit(t, options.repoPath, ["worktree", "repair", options.worktreePath]);
    const repaired = await inspectWorktree(t, options.worktreePath, commonDir);
    if (repaired.kind === "valid") return result(await switchTo(t, options, repaired.branch, "repaired"));

    const movedAsidePath = await clearPath(t, options.worktreePath);
    await runGit(t, options.repoPath, ["worktree", "prune"]);
    await addWorktree(t, options);
    return result("recreated", movedAsidePath);
  });
}

/**
 * The usual case, a new task, in one command (one round trip to a remote host instead of six) and
 * two git processes besides `worktree add`'s own: nothing at the path, no branch yet, the base
 * there: one `for-each-ref` reads both refs, the branch is made at the base's commit, and that
 * commit is the new worktree's HEAD. Anything else (a failed add too: a path still registered to
 * a deleted worktree, which wants a prune) prints nothing, and the step-by-step path below
 * decides, with its checks and its errors. The values travel as the script's arguments, never
 * inside it. Branch names hold no glob characters (git check-ref-format), so the patterns match
 * those refs and the refs below them (refs/heads/main/x), which the loop leaves out.
 */
const ADD_IN_ONE_TRIP = [
  'cd "$1" || exit 0',
  GIT_SHELL_FUNCTION,
  '{ [ -e "$2" ] || [ -L "$2" ]; } && exit 0',
  'refs=$(g for-each-ref --format="%(objectname) %(refname)" "refs/heads/$3" "refs/heads/$4") || exit 0',
  "base=",
  'while read -r sha ref; do',
  '  [ "$ref" = "refs/heads/$3" ] && exit 0',
  '  [ "$ref" = "refs/heads/$4" ] && base=$sha',
  "done <<EOF",
  "$refs",
  "EOF",
  '[ -n "$base" ] || exit 0',
  // A failed add may have made the branch already (git makes it first): it goes again, only if
  // it still is the base's commit (update-ref's old value), so the careful path starts as before.
  'g worktree add -b "$3" "$2" "$base" >&2 || { g update-ref -d "refs/heads/$3" "$base" 2>/dev/null; exit 0; }',
  'echo "$base"',
].join("\n");

async function addInOneTrip(t: Transport, options: EnsureWorktreeOptions): Promise<string | null> {
  const { repoPath, worktreePath, branch, baseBranch } = options;
  const result = await t.exec(["sh", "-c", ADD_IN_ONE_TRIP, "sh", repoPath, worktreePath, branch, baseBranch], {
    cwd: "/",
    env: GIT_ENV,
    timeoutMs: 10 * 60_000,
  });
  const sha = result.stdout.trim();
  return result.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** `git worktree add`, attaching the branch when it exists; one prune-and-retry on failure. */
async function addWorktree(t: Transport, options: EnsureWorktreeOptions, retried = false): Promise<WorktreeAction> {
  const { repoPath, worktreePath, branch, baseBranch } = options;
  const exists = await branchExists(t, repoPath, branch);
  if (exists) await assertBranchFree(t, repoPath, branch);
  if (exists && !options.ownsBranch) await assertBranchNotTaken(t, options);
  if (!exists && !(await branchExists(t, repoPath, baseBranch))) {
    throw new WorktreeError("no_base_branch", `The base branch ${baseBranch} does not exist in ${repoPath}: create it, or set the workspace's base branch to one that exists.`);
  }
  const args = exists
    ? ["worktree", "add", worktreePath, branch]
    : ["worktree", "add", "-b", branch, worktreePath, baseBranch];
  const added = await tryGit(t, repoPath, args);
  if (added.exitCode === 0) return exists ? "attached" : "created";
  if (retried) throw new GitError(args, added.exitCode, added.stderr);
  await runGit(t, repoPath, ["worktree", "prune"]);
  return addWorktree(t, options, true);
}

/** An existing branch this task did not make must hold nothing the base lacks. */
async function assertBranchNotTaken(t: Transport, options: EnsureWorktreeOptions): Promise<void> {
  const { repoPath, branch, baseBranch } = options;
  if ((await branchExists(t, repoPath, baseBranch)) && (await isAncestor(t, repoPath, branch, baseBranch))) return;
  const last = (await runGit(t, repoPath, ["log", "-1", "--format=%h %s", branch])).trim();
  throw new WorktreeError(
    "branch_taken",
    `A branch ${branch} already exists in ${repoPath} with commits this task did not make (last: ${last}). Nothing was changed: rename or delete that branch, then retry the task.`,
  );
}

async function assertBranchFree(t: Transport, repoPath: string, branch: string): Promise<void> {
  const holder = (await listWorktrees(t, repoPath)).find((entry) => entry.branch === branch);
  if (holder) {
    throw new WorktreeError("branch_in_use", `Branch ${branch} is already checked out at ${holder.path}.`);
  }
}

/** A valid worktree on another branch is switched over, unless that would carry changes along. */
async function switchTo(
  t: Transport,
  options: EnsureWorktreeOptions,
  onBranch: string | null,
  action: WorktreeAction,
): Promise<WorktreeAction> {
  if (onBranch === options.branch) return action;
  const { worktreePath, branch, repoPath } = options;
  const changes = await trackedChanges(t, worktreePath);
  if (changes.length > 0) {
    const where = onBranch ?? "a detached HEAD";
    throw new WorktreeError(
      "dirty_worktree",
      `${worktreePath} is on ${where}, not ${branch}, with uncommitted changes: ${listFiles(changes)}.`,
    );
  }
  if (await branchExists(t, repoPath, branch)) {
    await assertBranchFree(t, repoPath, branch);
    await runGit(t, worktreePath, ["checkout", "--quiet", branch, "--"]);
  } else {
    await runGit(t, worktreePath, ["checkout", "--quiet", "-b", branch, options.baseBranch, "--"]);
  }
  return action;
}

/** Removes an empty directory; moves anything else aside so nobody's files are lost. */
async function clearPath(t: Transport, path: string): Promise<string | undefined> {
  const removed = await t.exec(["rmdir", "--", path], { cwd: "/" });
  if (removed.exitCode === 0) return undefined;
  const aside = `${path}.stale-${Date.now()}`;
  const moved = await t.exec(["mv", "--", path, aside], { cwd: "/" });
  if (moved.exitCode !== 0) throw new Error(`could not move ${path} aside: ${moved.stderr.trim()}`);
  return aside;
}

export interface RemoveWorktreeOptions {
  repoPath: string;
  worktreePath: string;
  /** The task's branch; needed with deleteBranch when the worktree is already gone. */
  branch?: string;
  /** Also deletes the branch: only when merged, unless force. */
  deleteBranch?: boolean;
  /** Removes a worktree with uncommitted changes, and deletes an unmerged branch. */
  force?: boolean;
  /**
   * A worktree with uncommitted changes (a check's outputs, a person's edits) is not refused:
   * they are stashed in the repository under this message (`git stash push --include-untracked`),
   * then the worktree goes. For a task that landed: its worktree goes, and nothing in it is lost.
   */
  stashMessage?: string;
}

export interface RemoveWorktreeResult {
  worktreeRemoved: boolean;
  branchDeleted: boolean;
  /** The paths whose uncommitted changes were stashed (stashMessage); empty when none were. */
  stashed: string[];
}

/**
 * Removes the task's worktree (a path that is not a worktree of this repository is left
 * alone) and forgets a worktree whose directory is gone. Without force or stashMessage, a worktree
 * with uncommitted changes makes it throw GitError; without force, an unmerged branch does.
 */
export function removeWorktree(t: Transport, options: RemoveWorktreeOptions): Promise<RemoveWorktreeResult> {
  assertNotOption(options.worktreePath, ...(options.branch ? [options.branch] : []));
  return withRepoLock(options.repoPath, async () => {
    const { repoPath, worktreePath, force } = options;
    let branch = options.branch;
    let worktreeRemoved = false;
    let stashed: string[] = [];
    if (await t.pathExists(worktreePath)) {
      const state = await inspectWorktree(t, worktreePath, await gitCommonDir(t, repoPath));
      if (state.kind === "valid") {
        branch ??= state.branch ?? undefined;
        const remove = ["worktree", "remove", ...(force ? ["--force"] : []), worktreePath];
        const removed = await tryGit(t, repoPath, remove);
        if (removed.exitCode !== 0) {
          // Refused: uncommitted changes (git's message is not parsed: it may be translated).
          if (options.stashMessage === undefined) throw new GitError(remove, removed.exitCode, removed.stderr);
          stashed = await stashChanges(t, worktreePath, options.stashMessage);
          // Refused again after the stash: something else holds it (a submodule, a lock), and its
          // reason is thrown.
          await runGit(t, repoPath, remove);
        }
        worktreeRemoved = true;
      }
    }
    await runGit(t, repoPath, ["worktree", "prune"]);
    const branchDeleted = options.deleteBranch ? await deleteBranch(t, repoPath, branch, force) : false;
    // Done again after a stop cut it short past the stash: what that stash holds is still told.
    if (stashed.length === 0 && options.stashMessage !== undefined) stashed = await stashedEarlier(t, repoPath, options.stashMessage);
    return { worktreeRemoved, branchDeleted, stashed };
  });
}

/**
 * The paths in the newest stash with this message (`On <branch>: <message>`), changed or
 * untracked; none when there is no such stash.
 */
async function stashedEarlier(t: Transport, repoPath: string, message: string): Promise<string[]> {
  const list = await tryGit(t, repoPath, ["stash", "list", "--format=%gd%x00%gs"]);
  if (list.exitCode !== 0) return [];
  const ref = list.stdout
    .split("\n")
    .map((line) => line.split("\0"))
    .find(([, subject]) => subject?.endsWith(`: ${message}`))?.[0];
  if (!ref) return [];
  // The stash's worktree against the commit it was made on (a rename as its new name), then
  // its third parent's tree: the untracked files (none when there were none).
  const [changed, untracked] = await together([
    tryGit(t, repoPath, ["diff", "--name-only", "-z", "--find-renames", `${ref}^1`, ref, "--"]),
    tryGit(t, repoPath, ["ls-tree", "-r", "--name-only", "-z", `${ref}^3`, "--"]),
  ]);
  return [...(changed.exitCode === 0 ? splitNul(changed.stdout) : []), ...(untracked.exitCode === 0 ? splitNul(untracked.stdout) : [])];
}

/** The message of the stash a task's worktree leaves in its repository (removeWorktree's stashMessage). */
export function taskStashMessage(taskId: number, when: "merged" | "deleted"): string {
  return `ai-slave task-${taskId}: not committed in its worktree when the task was ${when}`;
}

/** What a person reads about a stash: which files, and how to get them back. */
export function stashNote(taskId: number, stashed: string[], when: "merged" | "deleted"): string | null {
  if (stashed.length === 0) return null;
  const shown = stashed.slice(0, 10).join(", ") + (stashed.length > 10 ? ` and ${stashed.length - 10} more` : "");
  return `Its worktree held changes not committed (${shown}); they were stashed in the repository before the worktree was removed: \`git stash list\` shows "${taskStashMessage(taskId, when)}", \`git stash apply\` brings them back.`;
}

/** Stashes the worktree's changes, untracked files included (ignored ones stay: they never block a removal); returns their paths. */
async function stashChanges(t: Transport, worktreePath: string, message: string): Promise<string[]> {
  const status = await runGit(t, worktreePath, ["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
  const paths: string[] = [];
  const fields = splitNul(status);
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index]!;
    paths.push(field.slice(3));
    // A rename or copy (staged, or in the worktree) is followed by its source path.
    if (/[RC]/.test(field.slice(0, 2))) index += 1;
  }
  if (paths.length === 0) return paths;
  await runGit(t, worktreePath, [...(await identityArgs(t, worktreePath)), "stash", "push", "--include-untracked", "--quiet", "-m", message]);
  return paths;
}

async function deleteBranch(t: Transport, repoPath: string, branch: string | undefined, force?: boolean) {
  if (!branch) throw new Error("removeWorktree: deleteBranch needs the branch name");
  if (!(await branchExists(t, repoPath, branch))) return false;
  await runGit(t, repoPath, ["branch", force ? "-D" : "-d", branch]);
  return true;
}

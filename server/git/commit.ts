import type { Transport } from "@/server/exec/transport";
import { GitError } from "./errors";
import { FALLBACK_USER_EMAIL, FALLBACK_USER_NAME, identityArgs } from "./identity";
import { phaseOutputs, STAGING_PATHSPECS_SCRIPT, stagingPathspecs } from "./phase-outputs";
import { headSha } from "./repo";
import { GIT_ENV, GIT_SHELL_FUNCTION, runGit, tryGit } from "./run-git";
import { gitCommonDir, inspectWorktree } from "./worktree-inspect";

export interface CommitAllOptions {
  cwd: string;
  message: string;
  /** Skips the repository's pre-commit and commit-msg hooks. */
  noVerify?: boolean;
}

/**
 * Stages everything (new, changed and deleted files, .gitignore respected, what setup and check
 * scripts made left out: phase-outputs.ts) and commits it. Returns the new commit's sha, or null
 * when there was nothing to commit. The message goes through stdin: it may be long or hold any
 * character.
 */
export async function commitAll(t: Transport, options: CommitAllOptions): Promise<string | null> {
  const { cwd } = options;
  await runGit(t, cwd, ["add", "--all", "--", ...stagingPathspecs(await phaseOutputs(t, cwd))]);
  if (!(await hasStagedChanges(t, cwd))) return null;
  const args = ["commit", "--quiet", "--file=-", ...(options.noVerify ? ["--no-verify"] : [])];
  await runGit(t, cwd, [...(await identityArgs(t, cwd)), ...args], { stdin: options.message });
  return headSha(t, cwd);
}

async function hasStagedChanges(t: Transport, cwd: string): Promise<boolean> {
  const args = ["diff", "--cached", "--quiet"];
  const result = await tryGit(t, cwd, args);
  if (result.exitCode === 0 || result.exitCode === 1) return result.exitCode === 1;
  throw new GitError(args, result.exitCode, result.stderr);
}

export interface CommitWorktreeOptions {
  /** The repository the worktree must belong to. */
  repoPath: string;
  worktreePath: string;
  message: string;
  noVerify?: boolean;
}

/**
 * commitAll in a task's worktree, only once it is checked to be a linked worktree of repoPath (an
 * agent could have pointed its `.git` at another repository, and the server's git must not work
 * for that one). Throws with the reason when it is not; returns the new sha, or null when there
 * was nothing to commit.
 *
 * The usual case goes in one command (one round trip to a remote host instead of nine): the
 * checks, `add --all` (less what setup and check scripts made), the commit with the identity
 * fallback, and the new sha. Anything unusual (a check that fails, a git that fails) prints
 * nothing, and the step-by-step path decides, with its checks and its errors: every step is safe
 * to repeat (a commit made is nothing staged).
 */
export async function commitWorktree(t: Transport, options: CommitWorktreeOptions): Promise<string | null> {
  const quick = await commitInOneTrip(t, options);
  if (quick !== undefined) return quick;
  const { repoPath, worktreePath } = options;
  const state = await inspectWorktree(t, worktreePath, await gitCommonDir(t, repoPath));
  if (state.kind !== "valid") throw new Error(`the worktree ${worktreePath} ${state.reason}; nothing was committed`);
  return commitAll(t, { cwd: worktreePath, message: options.message, noVerify: options.noVerify });
}

/**
 * The script of commitWorktree's one trip. Arguments: repository, worktree, "no-verify" or "",
 * the fallback name and email; the message is its stdin (git's earlier steps read none). It
 * prints `nothing`, or `committed` and the new sha; anything else means "take the careful path".
 * The checks are inspectWorktree's: the worktree's common dir is the repository's, its git dir is
 * not (not the main checkout), and it is the top of its checkout (no prefix).
 */
const COMMIT_IN_ONE_TRIP = [
  'repo=$1 tree=$2 verify=$3 name=$4 email=$5',
  GIT_SHELL_FUNCTION,
  'common=$(cd "$repo" && g rev-parse --path-format=absolute --git-common-dir) || exit 0',
  'cd "$tree" || exit 0',
  'info=$(g rev-parse --path-format=absolute --git-common-dir --absolute-git-dir --show-prefix) || exit 0',
  "own= dir= prefix=",
  "{ read -r own; read -r dir; read -r prefix; } <<EOF",
  "$info",
  "EOF",
  '[ -n "$common" ] && [ "$own" = "$common" ] && [ "$dir" != "$common" ] && [ -z "$prefix" ] || exit 0',
  STAGING_PATHSPECS_SCRIPT,
  'g add --all -- "$@" || exit 0',
  "g diff --cached --quiet",
  "case $? in 0) echo nothing; exit 0 ;; 1) ;; *) exit 0 ;; esac",
  // identityArgs: git's own identity when it has one, else the fallback for whichever half is missing.
  "set --",
  'if ! { g var GIT_AUTHOR_IDENT && g var GIT_COMMITTER_IDENT; } >/dev/null 2>&1; then',
  '  [ -n "$(g config --get user.name)" ] || set -- "$@" -c "user.name=$name"',
  '  [ -n "$(g config --get user.email)" ] || set -- "$@" -c "user.email=$email"',
  "fi",
  'if [ "$verify" = no-verify ]; then g "$@" commit --quiet --no-verify --file=- || exit 0',
  'else g "$@" commit --quiet --file=- || exit 0; fi',
  "echo committed",
  "g rev-parse --verify HEAD",
].join("\n");

/** The one trip's answer: the sha, null for nothing to commit, undefined for "take the careful path". */
async function commitInOneTrip(t: Transport, options: CommitWorktreeOptions): Promise<string | null | undefined> {
  const args = [options.repoPath, options.worktreePath, options.noVerify ? "no-verify" : "", FALLBACK_USER_NAME, FALLBACK_USER_EMAIL];
  const result = await t.exec(["sh", "-c", COMMIT_IN_ONE_TRIP, "sh", ...args], { cwd: "/", env: GIT_ENV, stdin: options.message, timeoutMs: 10 * 60_000 });
  if (result.exitCode !== 0) return undefined;
  const [first, sha] = result.stdout.trim().split("\n");
  if (first === "nothing") return null;
  if (first !== "committed") return undefined;
  // Committed, but the sha did not come back: read it (a second trip, not a second commit).
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : headSha(t, options.worktreePath);
}

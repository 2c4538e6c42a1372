import type { Transport } from "@/server/exec/transport";
import { GitError } from "./errors";
import { assertNotOption, runGit, splitNul, together, tryGit } from "./run-git";

/** Whether path lies inside a git work tree (a missing path is not one). */
export async function isGitRepo(t: Transport, path: string): Promise<boolean> {
  const result = await tryGit(t, path, ["rev-parse", "--is-inside-work-tree"]);
  return result.exitCode === 0 && result.stdout.trim() === "true";
}

/** The checked-out branch, or null on a detached HEAD. */
export async function currentBranch(t: Transport, cwd: string): Promise<string | null> {
  const result = await tryGit(t, cwd, ["symbolic-ref", "--short", "-q", "HEAD"]);
  if (result.exitCode === 1) return null;
  if (result.exitCode !== 0) throw new GitError(["symbolic-ref", "--short", "-q", "HEAD"], result.exitCode, result.stderr);
  return result.stdout.trim();
}

export async function branchExists(t: Transport, repoPath: string, branch: string): Promise<boolean> {
  const args = ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`];
  const result = await tryGit(t, repoPath, args);
  if (result.exitCode === 0 || result.exitCode === 1) return result.exitCode === 0;
  throw new GitError(args, result.exitCode, result.stderr);
}

/** The commit sha a ref points to; throws GitError when it names no commit. */
export async function resolveCommit(t: Transport, cwd: string, ref: string): Promise<string> {
  return (await runGit(t, cwd, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
}

export function headSha(t: Transport, cwd: string): Promise<string> {
  return resolveCommit(t, cwd, "HEAD");
}

/** The best common ancestor of two commits (where a branch left its base). */
export async function mergeBase(t: Transport, cwd: string, a: string, b: string): Promise<string> {
  return (await runGit(t, cwd, ["merge-base", a, b])).trim();
}

/** Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
export async function isAncestor(t: Transport, cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const args = ["merge-base", "--is-ancestor", ancestor, descendant];
  const result = await tryGit(t, cwd, args);
  if (result.exitCode === 0 || result.exitCode === 1) return result.exitCode === 0;
  throw new GitError(args, result.exitCode, result.stderr);
}

/**
 * The checkout's index is exactly `commit`'s tree and its tracked files match the index: what a
 * `git merge --ff-only` to `commit` leaves when it is killed after writing the files and the
 * index and before moving the ref. Moving the ref then finishes that fast-forward and loses nothing.
 */
export async function holdsTreeOf(t: Transport, cwd: string, commit: string): Promise<boolean> {
  assertNotOption(commit);
  const [index, files] = await together([tryGit(t, cwd, ["diff", "--cached", "--quiet", commit, "--"]), tryGit(t, cwd, ["diff", "--quiet", "--"])]);
  return index.exitCode === 0 && files.exitCode === 0;
}

/** Paths with staged or unstaged changes to tracked files (conflicted ones included). */
export async function trackedChanges(t: Transport, cwd: string): Promise<string[]> {
  const output = await runGit(t, cwd, ["status", "--porcelain=v1", "-z", "--untracked-files=no"]);
  return parsePorcelainPaths(output);
}

/** Untracked files that are not ignored. */
export async function untrackedFiles(t: Transport, cwd: string, options: { folders?: boolean } = {}): Promise<string[]> {
  // `folders`: a wholly untracked folder as one entry, `dir/`.
  return splitNul(await runGit(t, cwd, ["ls-files", "--others", "--exclude-standard", ...(options.folders ? ["--directory"] : []), "-z"]));
}

/** Paths from `git status --porcelain=v1 -z`; a rename's source follows it as its own field. */
function parsePorcelainPaths(output: string): string[] {
  const fields = splitNul(output);
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const status = fields[i].slice(0, 2);
    paths.push(fields[i].slice(3));
    if (status.includes("R") || status.includes("C")) i++;
  }
  return paths;
}

/** A file's text at a commit or branch; null when the file is not there. */
export async function fileAt(t: Transport, repoPath: string, ref: string, file: string): Promise<string | null> {
  assertNotOption(ref);
  const result = await tryGit(t, repoPath, ["show", `${ref}:${file}`], { maxOutputBytes: 20 * 1024 * 1024 });
  return result.exitCode === 0 ? result.stdout : null;
}

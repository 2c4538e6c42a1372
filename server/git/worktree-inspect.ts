import type { Transport } from "@/server/exec/transport";
import { currentBranch } from "./repo";
import { runGit, tryGit } from "./run-git";

/** What a path that exists turned out to be, according to git. */
export type WorktreeState =
  | { kind: "valid"; branch: string | null }
  | { kind: "invalid"; reason: string };

/** The repository's shared .git directory, as an absolute canonical path (git 2.31 or later). */
export async function gitCommonDir(t: Transport, repoPath: string): Promise<string> {
  return (await runGit(t, repoPath, ["rev-parse", "--path-format=absolute", "--git-common-dir"])).trim();
}

/**
 * Whether path is the top of a linked worktree of the repository whose common dir is given.
 * A directory that merely exists, a subdirectory of some other checkout, another repository's
 * worktree, the main checkout itself, or a worktree whose .git link is broken are all invalid.
 */
export async function inspectWorktree(t: Transport, path: string, commonDir: string): Promise<WorktreeState> {
  const args = ["rev-parse", "--path-format=absolute", "--git-common-dir", "--absolute-git-dir", "--show-prefix"];
  const result = await tryGit(t, path, args);
  if (result.exitCode !== 0) return { kind: "invalid", reason: result.stderr.trim() || "not a git checkout" };
  const [ownCommonDir, gitDir, prefix] = result.stdout.split("\n");
  if (ownCommonDir !== commonDir) return { kind: "invalid", reason: `belongs to another repository (${ownCommonDir})` };
  if (gitDir === commonDir) return { kind: "invalid", reason: "is the main checkout, not a linked worktree" };
  if (prefix !== "") return { kind: "invalid", reason: `is a subdirectory (${prefix}) of another worktree` };
  return { kind: "valid", branch: await currentBranch(t, path) };
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Short branch name, null when detached. */
  branch: string | null;
  prunable: boolean;
  locked: boolean;
}

/**
 * The worktrees git has registered for the repository, the main checkout first. Read line by
 * line (`-z` needs git 2.36): a path holding a newline is not supported.
 */
export async function listWorktrees(t: Transport, repoPath: string): Promise<WorktreeEntry[]> {
  const output = await runGit(t, repoPath, ["worktree", "list", "--porcelain"]);
  const entries: WorktreeEntry[] = [];
  let entry: WorktreeEntry | undefined;
  for (const field of output.split("\n")) {
    if (field === "") {
      if (entry) entries.push(entry);
      entry = undefined;
      continue;
    }
    const [key, ...rest] = field.split(" ");
    const value = rest.join(" ");
    if (key === "worktree") entry = { path: value, head: null, branch: null, prunable: false, locked: false };
    else if (entry && key === "HEAD") entry.head = value;
    else if (entry && key === "branch") entry.branch = value.replace(/^refs\/heads\//, "");
    else if (entry && key === "prunable") entry.prunable = true;
    else if (entry && key === "locked") entry.locked = true;
  }
  if (entry) entries.push(entry);
  return entries;
}

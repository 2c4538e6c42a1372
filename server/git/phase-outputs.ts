import type { Transport } from "@/server/exec/transport";
import { GIT_SHELL_FUNCTION, GIT_ENV, splitNul, tryGit } from "./run-git";

/**
 * What a setup or check script makes in a task's worktree (a coverage folder, a report, a virtual
 * environment) and the repository's .gitignore does not cover stays out of the task's commits:
 * the commit of an agent's leftovers would otherwise sweep it onto the branch. The paths are kept
 * in this file of the worktree's own git dir (`.git/worktrees/<name>/`, gone with the worktree),
 * as the NUL-separated pathspec `git add --all --pathspec-from-file` takes: everything (`.`)
 * except each of them, literally.
 */
export const PHASE_OUTPUTS_FILE = "ai-slave-phase-outputs";

/** Untracked, not ignored entries of a worktree, a wholly untracked folder as one `dir/`; null when git cannot tell. */
export async function untrackedEntries(t: Transport, worktree: string): Promise<Set<string> | null> {
  const result = await tryGit(t, worktree, ["ls-files", "--others", "--exclude-standard", "--directory", "-z"]);
  return result.exitCode === 0 ? new Set(splitNul(result.stdout)) : null;
}

/** The entries in `after` that `before` did not have: what the phase made. */
export function madeBetween(before: Set<string>, after: Set<string>): string[] {
  return [...after].filter((entry) => !before.has(entry)).sort();
}

/** Arguments: the worktree, then the paths. The list starts with `.` when it is new. */
const KEEP_OUT = [
  'cd "$1" || exit 1',
  "shift",
  GIT_SHELL_FUNCTION,
  "dir=$(g rev-parse --absolute-git-dir) || exit 1",
  `list="$dir/${PHASE_OUTPUTS_FILE}"`,
  `[ -s "$list" ] || printf '.\\0' > "$list" || exit 1`,
  `for p; do printf ':(exclude,literal)%s\\0' "$p" >> "$list" || exit 1; done`,
].join("\n");

/** Adds paths to the worktree's list of what its commits leave out. Throws when it cannot. */
export async function keepOutOfCommits(t: Transport, worktree: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const result = await t.exec(["sh", "-c", KEEP_OUT, "sh", worktree, ...paths], { cwd: "/", env: GIT_ENV, timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`could not record the paths to keep out of commits: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** The list's path when the worktree has one, for `git add --all --pathspec-from-file`. */
export async function phaseOutputsList(t: Transport, worktree: string): Promise<string | null> {
  const result = await tryGit(t, worktree, ["rev-parse", "--absolute-git-dir"]);
  if (result.exitCode !== 0) return null;
  const list = `${result.stdout.trim()}/${PHASE_OUTPUTS_FILE}`;
  return (await t.pathExists(list)) ? list : null;
}

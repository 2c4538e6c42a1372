import type { Transport } from "@/server/exec/transport";
import { GIT_SHELL_FUNCTION, GIT_ENV } from "./run-git";

/**
 * What a setup or check script makes in a task's worktree (a coverage folder, a report, a virtual
 * environment) and the repository's .gitignore does not cover stays out of the task's commits:
 * the commit of an agent's leftovers would otherwise sweep it onto the branch. The paths are kept
 * in this file of the worktree's own git dir (`.git/worktrees/<name>/`, gone with the worktree),
 * one a line, and a commit stages `git add --all -- . ':(exclude,literal)<path>'...`, which any
 * git since 1.9 takes. A path with a newline in it is not kept: such a file is committed as before.
 */
export const PHASE_OUTPUTS_FILE = "ai-slave-phase-outputs";

/** The entries in `after` that `before` did not have: what the phase made (one line each, so none with a newline). */
export function madeBetween(before: Set<string>, after: Set<string>): string[] {
  return [...after].filter((entry) => !before.has(entry) && !entry.includes("\n")).sort();
}

/** Arguments: the worktree, then the paths. */
const KEEP_OUT = [
  'cd "$1" || exit 1',
  "shift",
  GIT_SHELL_FUNCTION,
  "dir=$(g rev-parse --absolute-git-dir) || exit 1",
  `for p; do printf '%s\\n' "$p" >> "$dir/${PHASE_OUTPUTS_FILE}" || exit 1; done`,
].join("\n");

/** Adds paths to the worktree's list of what its commits leave out. Throws when it cannot. */
export async function keepOutOfCommits(t: Transport, worktree: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const result = await t.exec(["sh", "-c", KEEP_OUT, "sh", worktree, ...paths], { cwd: "/", env: GIT_ENV, timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`could not record the paths to keep out of commits: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** The paths a worktree's commits leave out; none when it has no list. */
export async function phaseOutputs(t: Transport, worktree: string): Promise<string[]> {
  const script = `${GIT_SHELL_FUNCTION}\ndir=$(g rev-parse --absolute-git-dir) || exit 1\nlist="$dir/${PHASE_OUTPUTS_FILE}"\n[ ! -e "$list" ] || cat -- "$list"`;
  const result = await t.exec(["sh", "-c", script], { cwd: worktree, env: GIT_ENV, timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`could not read the paths kept out of commits: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout.split("\n").filter(Boolean);
}

/** `git add --all` less the paths: the pathspec arguments (after `--`) that say so. */
export function stagingPathspecs(paths: string[]): string[] {
  return paths.length === 0 ? [] : [".", ...paths.map((path) => `:(exclude,literal)${path}`)];
}

/**
 * The same in a script of commitWorktree's one trip: sets "$@" to those arguments, from the list in
 * the git dir `$dir`. `read -r` with an empty IFS keeps each line as it is.
 */
export const STAGING_PATHSPECS_SCRIPT = [
  "set --",
  `if [ -s "$dir/${PHASE_OUTPUTS_FILE}" ]; then`,
  "  set -- .",
  `  while IFS= read -r p; do set -- "$@" ":(exclude,literal)$p"; done < "$dir/${PHASE_OUTPUTS_FILE}"`,
  "fi",
].join("\n");

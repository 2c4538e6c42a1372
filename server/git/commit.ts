import type { Transport } from "@/server/exec/transport";
import { GitError } from "./errors";
import { identityArgs } from "./identity";
import { headSha } from "./repo";
import { runGit, tryGit } from "./run-git";

export interface CommitAllOptions {
  cwd: string;
  message: string;
  /** Skips the repository's pre-commit and commit-msg hooks. */
  noVerify?: boolean;
}

/**
 * Stages everything (new, changed and deleted files, .gitignore respected) and commits it.
 * Returns the new commit's sha, or null when there was nothing to commit. The message goes
 * through stdin: it may be long or hold any character.
 */
export async function commitAll(t: Transport, options: CommitAllOptions): Promise<string | null> {
  const { cwd } = options;
  await runGit(t, cwd, ["add", "--all"]);
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

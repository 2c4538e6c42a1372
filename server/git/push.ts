import type { Transport } from "@/server/exec/transport";
import { resolveCommit } from "./repo";
import { assertNotOption, runGit, tryGit } from "./run-git";

export type PushOutcome = { kind: "pushed"; sha: string } | { kind: "no-remote" } | { kind: "rejected"; message: string };

/** The URL a remote fetches from, or null when the repository has no such remote. */
export async function remoteUrl(t: Transport, repoPath: string, remote: string): Promise<string | null> {
  assertNotOption(remote);
  const result = await tryGit(t, repoPath, ["remote", "get-url", "--", remote]);
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/**
 * Pushes the branch to the same name on the remote. Credentials are the remote's own (an SSH key,
 * a credential helper): nothing secret goes on the command line. A refusal comes back with git's
 * message (authentication, branch protection, a non-fast-forward).
 */
export async function pushBranch(t: Transport, repoPath: string, remote: string, branch: string): Promise<PushOutcome> {
  assertNotOption(remote, branch);
  if ((await remoteUrl(t, repoPath, remote)) === null) return { kind: "no-remote" };
  const sha = await resolveCommit(t, repoPath, `refs/heads/${branch}`);
  const result = await tryGit(t, repoPath, ["push", "--porcelain", "--", remote, `refs/heads/${branch}:refs/heads/${branch}`], { timeoutMs: 5 * 60_000, ownSession: true });
  if (result.exitCode !== 0) return { kind: "rejected", message: (result.stderr.trim() || result.stdout.trim()).slice(0, 4000) };
  await runGit(t, repoPath, ["update-ref", `refs/remotes/${remote}/${branch}`, sha]).catch(() => undefined);
  return { kind: "pushed", sha };
}

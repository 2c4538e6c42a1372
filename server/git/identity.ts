import type { Transport } from "@/server/exec/transport";
import { tryGit } from "./run-git";

export const FALLBACK_USER_NAME = "AI-Slave";
export const FALLBACK_USER_EMAIL = "ai-slave@localhost";

/**
 * The `-c user.name=… -c user.email=…` arguments a commit needs when git knows no identity
 * (a fresh machine or container). When git has one (config, environment or a usable host
 * name) it is kept: the user's own name stays on the user's commits.
 */
export async function identityArgs(t: Transport, cwd: string): Promise<string[]> {
  const [author, committer] = await Promise.all([
    tryGit(t, cwd, ["var", "GIT_AUTHOR_IDENT"]),
    tryGit(t, cwd, ["var", "GIT_COMMITTER_IDENT"]),
  ]);
  if (author.exitCode === 0 && committer.exitCode === 0) return [];
  const [name, email] = await Promise.all([configValue(t, cwd, "user.name"), configValue(t, cwd, "user.email")]);
  return [
    ...(name ? [] : ["-c", `user.name=${FALLBACK_USER_NAME}`]),
    ...(email ? [] : ["-c", `user.email=${FALLBACK_USER_EMAIL}`]),
  ];
}

async function configValue(t: Transport, cwd: string, key: string): Promise<string> {
  const result = await tryGit(t, cwd, ["config", "--get", key]);
  return result.exitCode === 0 ? result.stdout.trim() : "";
}

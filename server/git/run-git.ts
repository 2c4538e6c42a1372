import { shellJoin } from "@/server/exec/quote";
import type { ExecResult, Transport } from "@/server/exec/transport";
import { GitError } from "./errors";

/**
 * No credential prompt can hang a server-side git call, no editor opens, and read-only
 * commands skip the optional index lock so they never collide with an agent's own git use.
 */
export const GIT_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_EDITOR: "true",
  GIT_OPTIONAL_LOCKS: "0",
};

/**
 * Every git the server runs may be in a worktree an agent could write: no hook (core.hooksPath)
 * and no fsmonitor command from the repository's config runs on the server's behalf.
 */
export const GIT_HARDENING = ["-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null"];

/** For scripts that run several git commands in one trip: `g ARGS` runs git with GIT_HARDENING. */
export const GIT_SHELL_FUNCTION = `g() { ${shellJoin(["git", ...GIT_HARDENING])} "$@"; }`;

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface GitRunOptions {
  stdin?: string;
  timeoutMs?: number;
  /** Bytes of output kept (exec's default otherwise); the rest is cut with a marker. */
  maxOutputBytes?: number;
  /** The command may ask a terminal for input (network): ExecOptions.ownSession. */
  ownSession?: boolean;
}

/** Runs git in cwd and returns the raw result whatever the exit code. */
export function tryGit(t: Transport, cwd: string, args: string[], options: GitRunOptions = {}): Promise<ExecResult> {
  return t.exec(["git", ...GIT_HARDENING, ...args], {
    cwd,
    env: GIT_ENV,
    stdin: options.stdin,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputBytes: options.maxOutputBytes,
    ownSession: options.ownSession,
  });
}

/** Runs git in cwd and returns stdout; throws GitError with git's stderr on failure. */
export async function runGit(t: Transport, cwd: string, args: string[], options: GitRunOptions = {}): Promise<string> {
  const result = await tryGit(t, cwd, args, options);
  if (result.exitCode !== 0) throw new GitError(args, result.exitCode, result.stderr);
  return result.stdout;
}

/** Splits -z output into its NUL-terminated fields. */
export function splitNul(output: string): string[] {
  const fields = output.split("\0");
  if (fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/** A branch or path given as an argument must not be read by git as an option. */
export function assertNotOption(...values: string[]): void {
  for (const value of values) {
    if (value === "" || value.startsWith("-") || value.includes("\0")) {
      throw new Error(`invalid git argument: ${JSON.stringify(value)}`);
    }
  }
}

/**
 * Awaits reads sent together (over SSH each command is a round trip; together they cost about
 * one) and throws the first failure in the order given, not in the order they came back, so the
 * error a caller sees does not depend on timing.
 */
export async function together<const T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

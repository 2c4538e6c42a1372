import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { ExecOptions } from "./transport";

/** Exit codes a shell uses when it cannot start a command. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/**
 * Starts argv without a shell as the leader of its own process group (detached), so a timeout
 * or a stop can kill everything it started. `env` is added to the inherited environment.
 */
export function startChild(argv: string[], options: ExecOptions): ChildProcess {
  if (argv.length === 0) throw new Error("exec: empty argv");
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : process.env,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
    windowsHide: true,
  });
  if (options.stdin !== undefined && child.stdin) {
    // A child that exits without reading its stdin gives EPIPE: not our failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin);
  }
  return child;
}

/** Maps an error from spawn() to the exit a shell would report, with a readable message. */
export function describeStartError(
  error: NodeJS.ErrnoException,
  argv: string[],
  cwd: string,
): { exitCode: number; message: string } {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") {
    // Node reports a missing cwd as ENOENT of the binary: tell the two apart.
    const message = existsSync(cwd)
      ? `${argv[0]}: command not found`
      : `${argv[0]}: working directory not found: ${cwd}`;
    return { exitCode: EXIT_NOT_FOUND, message };
  }
  if (error.code === "EACCES") {
    return { exitCode: EXIT_NOT_EXECUTABLE, message: `${argv[0]}: permission denied` };
  }
  return { exitCode: EXIT_NOT_FOUND, message: `${argv[0]}: cannot start: ${error.message}` };
}

/**
 * Once the process exited, waits `drainMs` for its output pipes to close, then closes them:
 * a background grandchild that inherited stdout must not keep the run open forever.
 */
export function closePipesAfterExit(child: ChildProcess, drainMs: number): void {
  child.once("exit", () => {
    const timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, drainMs);
    timer.unref();
    child.once("close", () => clearTimeout(timer));
  });
}

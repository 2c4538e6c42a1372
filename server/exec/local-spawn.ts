import type { ChildProcess } from "node:child_process";
import type { SpawnedProcess, SpawnOptions } from "./transport";
import { LineSplitter, guardLineHandler as guard } from "./line-splitter";
import { closePipesAfterExit, describeStartError, startChild } from "./local-child";
import { isGroupAlive, signalGroup } from "./process-group";

type Exit = Awaited<SpawnedProcess["exited"]>;

/** Grace between SIGTERM and SIGKILL when a spawned process runs past its timeoutMs. */
const TIMEOUT_GRACE_MS = 2_000;

/** Starts argv in its own process group and streams stdout and stderr line by line. */
export function spawnLocal(argv: string[], options: SpawnOptions, drainMs: number): SpawnedProcess {
  const child = startChild(argv, options);
  const stdoutLines = new LineSplitter(guard(options.onStdoutLine));
  const stderrLines = new LineSplitter(guard(options.onStderrLine));
  child.stdout?.on("data", (chunk: Buffer) => stdoutLines.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderrLines.push(chunk));
  closePipesAfterExit(child, drainMs);

  let settled = false;
  const exited = waitForClose(child, argv, options, () => {
    stdoutLines.end();
    stderrLines.end();
  }).then((exit) => {
    settled = true;
    return exit;
  });

  const terminate = async (graceMs: number): Promise<void> => {
    if (!settled && child.pid !== undefined) await terminateGroup(child.pid, exited, graceMs);
    await exited;
  };

  if (options.timeoutMs !== undefined) {
    const timer = setTimeout(() => {
      guard(options.onStderrLine)(`${argv[0]}: timed out after ${options.timeoutMs} ms`);
      void terminate(TIMEOUT_GRACE_MS);
    }, options.timeoutMs);
    void exited.then(() => clearTimeout(timer));
  }
  return { pid: child.pid, exited, terminate };
}

/** Resolves after the process exited and its pipes closed, so every line was delivered. */
function waitForClose(
  child: ChildProcess,
  argv: string[],
  options: SpawnOptions,
  flush: () => void,
): Promise<Exit> {
  return new Promise((resolve) => {
    let startError: NodeJS.ErrnoException | undefined;
    child.on("error", (error) => {
      if (child.pid === undefined) startError = error;
    });
    child.on("close", (code, signal) => {
      flush();
      if (!startError) return resolve({ exitCode: code, signal });
      const failure = describeStartError(startError, argv, options.cwd);
      guard(options.onStderrLine)(failure.message);
      resolve({ exitCode: failure.exitCode, signal: null });
    });
  });
}

/** SIGTERM to the group; SIGKILL after the grace, or at once for members left behind. */
async function terminateGroup(pid: number, exited: Promise<Exit>, graceMs: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const exitedInTime = await Promise.race([exited.then(() => true), graceOver]);
  clearTimeout(timer);
  if (!exitedInTime || isGroupAlive(pid)) signalGroup(pid, "SIGKILL");
}

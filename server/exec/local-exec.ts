import type { ExecOptions, ExecResult } from "./transport";
import { closePipesAfterExit, describeStartError, startChild } from "./local-child";
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES, outputCutMarker } from "./output-cap";
import { signalGroup } from "./process-group";
import { sharedSpawner, type SpawnOutcome, type Spawner } from "./spawner";

/**
 * Runs argv and collects its output. Never rejects for a failed command: a binary that cannot
 * be started resolves with exit code 127 (126 when not executable) and the reason in stderr,
 * the way a shell reports it, so callers handle one shape. A timeout kills the whole process
 * group, resolves with exitCode null and says so in stderr. Output past the cap is cut with a marker.
 * The spawner (server/exec/spawner.ts) starts it when it runs, so this process never blocks in spawn().
 */
export function execLocal(argv: string[], options: ExecOptions, drainMs: number, spawner: Spawner | null = sharedSpawner()): Promise<ExecResult> {
  if (argv.length === 0) throw new Error("exec: empty argv");
  if (!spawner) return execInProcess(argv, options, drainMs);
  const capBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  return spawner.run({ argv, cwd: options.cwd, env, stdin: options.stdin, timeoutMs: options.timeoutMs, capBytes, drainMs, ownSession: options.ownSession }).then((outcome) => toExecResult(outcome, argv, options, capBytes));
}

/** A spawner's outcome in exec's shape, with the same texts execInProcess gives. */
export function toExecResult(outcome: SpawnOutcome, argv: string[], options: Pick<ExecOptions, "cwd" | "timeoutMs">, capBytes: number): ExecResult {
  const text = (bytes: Buffer, dropped: number) => (dropped > 0 ? `${bytes.toString("utf8")}${outputCutMarker(dropped, capBytes)}` : bytes.toString("utf8"));
  let stderr = text(outcome.stderr, outcome.stderrDropped);
  let exitCode = outcome.exitCode;
  if (outcome.startError) {
    const failure = describeStartError(Object.assign(new Error(outcome.startError.message), { code: outcome.startError.code }), argv, options.cwd);
    exitCode = failure.exitCode;
    stderr += `${failure.message}\n`;
  } else if (outcome.timedOut) {
    exitCode = null;
    stderr += `${argv[0]}: timed out after ${options.timeoutMs} ms\n`;
  } else if (outcome.lost) {
    stderr += `${argv[0]}: the process that started it (the spawner) exited; the command's outcome is unknown\n`;
  }
  return { exitCode, stdout: text(outcome.stdout, outcome.stdoutDropped), stderr };
}

/** The same, started from this process. */
function execInProcess(argv: string[], options: ExecOptions, drainMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = startChild(argv, options);
    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    closePipesAfterExit(child, drainMs);

    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
          }, options.timeoutMs);

    let startError: NodeJS.ErrnoException | undefined;
    child.on("error", (error) => {
      if (child.pid === undefined) startError = error;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      let errText = stderr.text();
      let exitCode = code;
      if (startError) {
        const failure = describeStartError(startError, argv, options.cwd);
        exitCode = failure.exitCode;
        errText += `${failure.message}\n`;
      } else if (timedOut) {
        exitCode = null;
        errText += `${argv[0]}: timed out after ${options.timeoutMs} ms\n`;
      }
      resolve({ exitCode, stdout: stdout.text(), stderr: errText });
    });
  });
}

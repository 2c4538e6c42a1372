import type { ExecOptions, ExecResult } from "./transport";
import { closePipesAfterExit, describeStartError, startChild } from "./local-child";
import { CappedOutput } from "./output-cap";
import { signalGroup } from "./process-group";

/**
 * Runs argv and collects its output. Never rejects for a failed command: a binary that cannot
 * be started resolves with exit code 127 (126 when not executable) and the reason in stderr,
 * the way a shell reports it, so callers handle one shape. A timeout kills the whole process
 * group, resolves with exitCode null and says so in stderr. Output past the cap is cut with a marker.
 */
export function execLocal(argv: string[], options: ExecOptions, drainMs: number): Promise<ExecResult> {
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

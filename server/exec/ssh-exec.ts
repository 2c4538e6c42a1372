/**
 * exec and spawn over SSH with the local transport's semantics: argv without a shell of our
 * own (each argument quoted once per shell layer), cwd, env, stdin, stdout and stderr apart,
 * the command's exit code; a timeout kills the command's process group and reports exit null.
 */
import type { ExecOptions, ExecResult, SpawnedProcess, SpawnOptions } from "./transport";
import { LineSplitter, guardLineHandler as guard, delay } from "./line-splitter";
import { CappedOutput } from "./output-cap";
import { execScript, remoteCommandLine, shellJoin, type ShellTarget } from "./quote";
import type { SshEndpoint, SshPool } from "./ssh-pool";
import { connectionLost, openRawStream, type RawExit } from "./ssh-stream";
import { SAVE_LOGIN_ENV_SCRIPT, savedLoginEnv } from "./ssh-login-env";

export interface RemoteContext {
  pool: SshPool;
  endpoint: SshEndpoint;
  target: ShellTarget;
}

/** Extra time for the SSH round trip before the client gives up on a timed-out command. */
const TIMEOUT_BACKSTOP_MS = 5_000;
/** `timeout -k` exits 124 after TERM worked, 137 after it had to KILL. */
const TIMEOUT_EXITS = new Set([124, 137]);
/** What the ssh client reports when the connection itself failed. */
export const EXIT_SSH_FAILED = 255;

export function commandLineFor(target: ShellTarget, argv: string[], options: Pick<ExecOptions, "cwd" | "env" | "timeoutMs">, savedEnv = false): string {
  const timeoutSec = options.timeoutMs === undefined ? undefined : options.timeoutMs / 1000;
  return remoteCommandLine(target, execScript({ argv, cwd: options.cwd, env: options.env, timeoutSec }), { savedEnv });
}

/**
 * The command line for argv, in the host's saved login environment once it is there
 * (ssh-login-env.ts), else through the login shell.
 */
export async function commandLineOf(context: RemoteContext, argv: string[], options: Pick<ExecOptions, "cwd" | "env" | "timeoutMs">): Promise<string> {
  return commandLineFor(context.target, argv, options, await useSavedEnv(context));
}

function useSavedEnv(context: RemoteContext): Promise<boolean> | false {
  if (context.target.container) return false;
  const { user, host, port } = context.endpoint;
  return savedLoginEnv(`${user}@${host}:${port} ${context.target.shell}`, async () => {
    // Through the login shell: its environment is what the save keeps.
    const argv = ["sh", "-c", SAVE_LOGIN_ENV_SCRIPT];
    const options = { cwd: "/", timeoutMs: 60_000 };
    const result = await execRemoteOnce(context, argv, options, commandLineFor(context.target, argv, options));
    return result !== "not-started" && result.exitCode === 0;
  });
}

/** Waits before running a command again whose connection dropped before it started. */
const RESTART_DELAYS_MS = [300, 1_000, 3_000];

/**
 * Runs argv remotely and collects its output. Rejects only when SSH fails or the link drops. A
 * link that drops before the command started (no marker on stdout: it never ran, whatever the
 * login shell did) is tried again on a new connection, so a fresh host's first busy moments do
 * not fail a step; once the command ran, a drop is reported, never repeated.
 */
export async function execRemote(context: RemoteContext, argv: string[], options: ExecOptions): Promise<ExecResult> {
  for (let attempt = 0; ; attempt += 1) {
    const result = await execRemoteOnce(context, argv, options);
    if (result !== "not-started") return result;
    const delay = RESTART_DELAYS_MS[attempt];
    if (delay === undefined) throw connectionLost(context.endpoint, shellJoin(argv).slice(0, 200));
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** `line`: the command line when it is not argv's usual one (commandLineOf). */
async function execRemoteOnce(context: RemoteContext, argv: string[], options: ExecOptions, line?: string): Promise<ExecResult | "not-started"> {
  const stdout = new CappedOutput(options.maxOutputBytes);
  const stderr = new CappedOutput(options.maxOutputBytes);
  const command = line ?? (await commandLineOf(context, argv, options));
  const started = Date.now();
  const stream = await openRawStream(context.pool, context.endpoint, command, {
    stdin: options.stdin,
    stripMarker: true,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
  });
  let backstop: NodeJS.Timeout | undefined;
  if (options.timeoutMs !== undefined) backstop = setTimeout(() => stream.channel.close(), options.timeoutMs + TIMEOUT_BACKSTOP_MS);
  const exit = await stream.exited.finally(() => clearTimeout(backstop));
  const timedOut = options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs && (exit.lost || TIMEOUT_EXITS.has(exit.exitCode ?? -1));
  let errText = stderr.text();
  if (timedOut) errText += `${argv[0]}: timed out after ${options.timeoutMs} ms\n`;
  else if (exit.lost && stream.pid() === null) return "not-started";
  else if (exit.lost) throw connectionLost(context.endpoint, shellJoin(argv).slice(0, 200));
  return { exitCode: timedOut ? null : exit.exitCode, stdout: stdout.text(), stderr: errText };
}

/**
 * Starts argv remotely, streaming its lines. A connection that cannot be made, or that drops,
 * ends the process with exit 255 (as ssh(1) reports it) and the reason on stderr.
 */
export function spawnRemote(context: RemoteContext, argv: string[], options: SpawnOptions): SpawnedProcess {
  const stdoutLines = new LineSplitter(guard(options.onStdoutLine));
  const stderrLines = new LineSplitter(guard(options.onStderrLine));
  // The time limit is kept here, not by a remote `timeout`: ending it is terminate()'s job.
  const opening = commandLineOf(context, argv, { cwd: options.cwd, env: options.env }).then((line) => openRawStream(context.pool, context.endpoint, line, {
    stdin: options.stdin,
    stripMarker: true,
    onStdout: (chunk) => stdoutLines.push(chunk),
    onStderr: (chunk) => stderrLines.push(chunk),
  }));
  let settled = false;
  const exited = opening
    .then((stream) => stream.exited)
    .catch((error: unknown): RawExit => {
      stderrLines.push(`${String((error as Error).message ?? error)}\n`);
      return { exitCode: EXIT_SSH_FAILED, signal: null, lost: false };
    })
    .then((exit) => {
      stdoutLines.end();
      stderrLines.end();
      settled = true;
      if (exit.lost) guard(options.onStderrLine)(connectionLost(context.endpoint, argv[0] ?? "").message);
      return { exitCode: exit.lost ? EXIT_SSH_FAILED : exit.exitCode, signal: exit.signal };
    });

  const terminate = async (graceMs: number): Promise<void> => {
    if (settled) return;
    const stream = await opening.catch(() => null);
    const pid = stream?.pid();
    if (stream && pid) {
      // The marker's pid is `timeout`, which relays the signal to the command's process group.
      await signalRemote(context, pid, "TERM");
      const done = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
      if (!done) await signalRemote(context, pid, "KILL");
    }
    stream?.channel.close();
    await exited;
  };

  if (options.timeoutMs !== undefined) {
    const timer = setTimeout(() => {
      guard(options.onStderrLine)(`${argv[0]}: timed out after ${options.timeoutMs} ms`);
      void terminate(2_000);
    }, options.timeoutMs);
    void exited.then(() => clearTimeout(timer));
  }
  return { pid: undefined, exited, terminate };
}

/** kill(1) on the remote side; the group first (what `timeout` leads), then the pid itself. */
async function signalRemote(context: RemoteContext, pid: number, signal: "TERM" | "KILL"): Promise<void> {
  const script = `kill -s ${signal} -- -${pid} 2>/dev/null || kill -s ${signal} ${pid} 2>/dev/null; true`;
  await execRemote(context, ["sh", "-c", script], { cwd: "/" }).catch(() => undefined);
}

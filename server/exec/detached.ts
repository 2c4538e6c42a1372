/**
 * Detached runs, the one way every agent runs: the agent lives in a tmux session on its machine
 * (this one, an SSH host, or a container there), writing its stdout and stderr to files, and the
 * server follows those files by byte offset. A dropped connection is re-followed from the last
 * offset; after a server restart, reattach() continues from a saved offset. The exit status comes
 * from a file the run script writes at the end. What differs between machines is the ScriptHost.
 */
import { LineSplitter, guardLineHandler as guard, delay } from "./line-splitter";
import {
  CATCH_UP_SCRIPT,
  EXIT_STATUS_SCRIPT,
  FOLLOW_SCRIPT,
  PREFIX_SCRIPT,
  SIGNAL_SCRIPT,
  detachedFiles,
  envFile,
  launchScript,
  launchStdin,
  runScript,
  type DetachedFiles,
} from "./detached-scripts";
import type { RunFileContents } from "./local-run-files";
import type { ExecResult } from "./transport";

/** How far each log was delivered as complete lines, in bytes. */
export interface LogOffsets {
  stdout: number;
  stderr: number;
}

export interface LineHandlers {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
}

export interface FollowLimits {
  /** How long the machine may stay unreachable before the run is given up (exit `unreachableMs`); unset: forever. */
  awayLimitMs?: number;
}

export interface DetachedSpawnOptions extends LineHandlers, FollowLimits {
  cwd: string;
  /** The agent's environment: written to a 0600 file through stdin, never on a command line. */
  env: Record<string, string>;
  /** Written to a file the agent reads as its stdin. */
  stdin: string;
  /** The tmux session (one per task). */
  sessionName: string;
  /** The agent's stdout log; the run's other files sit beside it. */
  logPath: string;
  /** The niceness the agent runs at (0: as the login shell's). */
  nice?: number;
}

export interface ReattachOptions extends LineHandlers, FollowLimits {
  logPath: string;
  offsets: LogOffsets;
}

export interface DetachedExit {
  exitCode: number | null;
  signal: string | null;
  /** The run script is gone and left no exit status (tmux killed, host rebooted). */
  statusMissing?: boolean;
  /** The machine did not answer for this long (past the away limit): the agent's fate is unknown. */
  unreachableMs?: number;
}

/** A detached run being followed. */
export interface DetachedProcess {
  /** The agent's pid on its machine, when the launch saw it (not after a reattach). */
  readonly pid: number | null;
  /** Resolves with the exit status once every byte of output was delivered. */
  exited: Promise<DetachedExit>;
  /** SIGTERM to the agent's process tree, SIGKILL after `graceMs` if still alive. */
  terminate(graceMs: number): Promise<void>;
  /** What was delivered as complete lines so far: where a reattach continues. */
  offsets(): LogOffsets;
  /** Stops following and leaves the agent running (server shutdown); `exited` then never settles. */
  detach(): void;
}

export interface ChunkHandlers {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface ScriptStream {
  /** `lost`: the connection dropped before the script's exit status arrived. */
  exited: Promise<{ exitCode: number | null; lost: boolean }>;
  close(): void;
}

/** What a machine must offer to run POSIX sh scripts for detached runs. */
export interface ScriptHost {
  /** Runs `sh -c script name args...` and collects its output; rejects when the machine cannot be reached. */
  runScript(script: string, args: string[], options?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Runs `sh -c script name args...` streaming its output as bytes. */
  streamScript(script: string, args: string[], handlers: ChunkHandlers): Promise<ScriptStream>;
  /** How tmux runs the run script (`sh`: on another machine it takes the login environment from the launch). */
  runScriptArgv(scriptPath: string): string[];
  /** The agent gets exactly the env file's variables (this machine) instead of the login env plus them. */
  exactEnv: boolean;
  /**
   * This machine: the server writes a run's files and waits for the agent's pid itself, so the
   * launch script only starts tmux. Elsewhere the launch script does both, in the one round trip.
   */
  runFiles?: {
    write(files: DetachedFiles, contents: RunFileContents): Promise<void>;
    agentPid(files: DetachedFiles): Promise<string>;
  };
  /**
   * This machine: the logs read by the server itself (local-follow.ts), as FOLLOW_SCRIPT
   * ("run-ended") and CATCH_UP_SCRIPT ("end-of-file") would deliver them. Elsewhere the scripts do.
   */
  readLogs?(files: DetachedFiles, offsets: LogOffsets, handlers: ChunkHandlers, until: "run-ended" | "end-of-file"): ScriptStream;
  /** This machine: EXIT_STATUS_SCRIPT's answer read by the server itself. */
  exitStatus?(files: DetachedFiles): Promise<string>;
}

/** Lines out of a byte stream, remembering the offset just past the last complete line. */
class OffsetLines {
  private readonly splitter: LineSplitter;
  received: number;
  consumed: number;

  constructor(start: number, onLine: (line: string) => void) {
    this.received = start;
    this.consumed = start;
    this.splitter = new LineSplitter(onLine);
  }

  push(chunk: Buffer): void {
    this.received += chunk.length;
    this.splitter.push(chunk);
    const newline = chunk.lastIndexOf(10);
    if (newline !== -1) this.consumed = this.received - (chunk.length - newline - 1);
  }

  end(): void {
    this.splitter.end();
    this.consumed = this.received;
  }
}

/** EXIT_STATUS_SCRIPT's answer; a script that failed (exit not 0) is an error. */
async function exitStatusOf(host: ScriptHost, files: DetachedFiles): Promise<string> {
  if (host.exitStatus) return host.exitStatus(files);
  const result = await host.runScript(EXIT_STATUS_SCRIPT, ["ai-slave", files.exit, files.pid]);
  if (result.exitCode !== 0) throw new Error(`script failed (${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout;
}

const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** How long terminate() waits after SIGKILL before giving the run up as unreachable. */
const GIVE_UP_AFTER_KILL_MS = 15_000;

/** Follows one detached run until its exit status is known. */
class DetachedFollower implements DetachedProcess {
  pid: number | null = null;
  readonly exited: Promise<DetachedExit>;
  private readonly out: OffsetLines;
  private readonly err: OffsetLines;
  private detached = false;
  private settled = false;
  private abandon: (() => void) | null = null;
  private closeStream: (() => void) | null = null;
  /** Since when every attempt to reach the machine failed; null while it answers. */
  private failingSince: number | null = null;
  private gaveUpAfterMs: number | null = null;

  constructor(private readonly host: ScriptHost, private readonly files: DetachedFiles, offsets: LogOffsets, private readonly handlers: LineHandlers & FollowLimits) {
    this.out = new OffsetLines(offsets.stdout, guard(handlers.onStdoutLine));
    this.err = new OffsetLines(offsets.stderr, guard(handlers.onStderrLine));
    this.exited = new Promise((resolve) => {
      this.abandon = () => resolve({ exitCode: null, signal: null });
      void this.run().then((exit) => {
        if (exit === undefined) return;
        this.settled = true;
        resolve(exit);
      });
    });
  }

  offsets(): LogOffsets {
    return { stdout: this.out.consumed, stderr: this.err.consumed };
  }

  detach(): void {
    this.detached = true;
    this.closeStream?.();
  }

  /** Follows, catches up, reads the exit status; undefined when detached or abandoned. */
  private async run(): Promise<DetachedExit | undefined> {
    if (!(await this.retrying(() => this.stream(FOLLOW_SCRIPT, "follow", [this.files.exit, this.files.pid], true)))) return this.unreachable();
    if (!(await this.retrying(() => this.stream(CATCH_UP_SCRIPT, "catch-up", [], false)))) return this.unreachable();
    let status = "";
    const read = async () => {
      status = (await exitStatusOf(this.host, this.files)).trim();
      this.failingSince = null;
      return true;
    };
    if (!(await this.retrying(read))) return this.unreachable();
    this.out.end();
    this.err.end();
    const code = Number(status);
    if (status !== "" && status !== "gone" && Number.isInteger(code)) return { exitCode: code, signal: null };
    return { exitCode: null, signal: null, statusMissing: true };
  }

  /** The exit of a run given up because its machine stayed away; undefined when detached. */
  private unreachable(): DetachedExit | undefined {
    if (this.detached || this.gaveUpAfterMs === null) return undefined;
    this.out.end();
    this.err.end();
    return { exitCode: null, signal: null, unreachableMs: this.gaveUpAfterMs };
  }

  /**
   * Runs `step` until it reports done, waiting longer between failures; false once detached, or
   * once the machine has not answered for longer than the away limit.
   */
  private async retrying(step: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; !this.detached; attempt += 1) {
      try {
        if (await step()) return !this.detached;
      } catch (error) {
        this.failingSince ??= Date.now();
        if (!this.detached) console.error(`[detached] following ${this.files.out}: ${(error as Error).message}`);
      }
      if (this.detached) break;
      const limit = this.handlers.awayLimitMs;
      if (limit !== undefined && this.failingSince !== null && Date.now() - this.failingSince >= limit) {
        this.gaveUpAfterMs = Date.now() - this.failingSince;
        return false;
      }
      const wait = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
      // The next try comes no later than the moment the limit is reached.
      const left = limit !== undefined && this.failingSince !== null ? this.failingSince + limit - Date.now() : wait;
      await delay(Math.max(100, Math.min(wait, left)));
    }
    return false;
  }

  /**
   * One follow or catch-up script over both logs from the current offsets; true when it ended
   * normally (for the follow script: because the run ended).
   */
  private async stream(script: string, name: string, extra: string[], mustSucceed: boolean): Promise<boolean> {
    const { out, err } = this.files;
    const args = [out, err, ...extra, String(this.out.received), String(this.err.received)];
    const handlers: ChunkHandlers = {
      onStdout: (chunk) => this.out.push(chunk),
      onStderr: (chunk) => this.err.push(chunk),
    };
    const offsets = { stdout: this.out.received, stderr: this.err.received };
    const stream = this.host.readLogs
      ? this.host.readLogs(this.files, offsets, handlers, script === FOLLOW_SCRIPT ? "run-ended" : "end-of-file")
      : await this.host.streamScript(script, [name, ...args], handlers);
    this.closeStream = () => stream.close();
    // The machine answered.
    this.failingSince = null;
    const result = await stream.exited;
    this.closeStream = null;
    if (result.lost) this.failingSince ??= Date.now();
    return !result.lost && (!mustSucceed || result.exitCode === 0);
  }

  private async script(script: string, args: string[]): Promise<string> {
    const result = await this.host.runScript(script, ["ai-slave", ...args]);
    if (result.exitCode !== 0) throw new Error(`script failed (${result.exitCode}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  async terminate(graceMs: number): Promise<void> {
    if (this.settled) return;
    const ended = (ms: number) => Promise.race([this.exited.then(() => true), delay(ms).then(() => false)]);
    const kill = () => this.script(SIGNAL_SCRIPT, [this.files.agentPid, "KILL", this.files.agentTree]).catch(() => undefined);
    await this.script(SIGNAL_SCRIPT, [this.files.agentPid, "TERM", this.files.agentTree]).catch(() => undefined);
    // The agent ended: whatever it left in its process group (a child that ignored SIGTERM) goes too.
    if (await ended(graceMs)) return void (await kill());
    await kill();
    if (await ended(GIVE_UP_AFTER_KILL_MS)) return;
    // The machine cannot be reached: stop waiting for it.
    guard(this.handlers.onStderrLine)(`AI-Slave: no answer from the host after SIGKILL; the run is given up.`);
    this.detach();
    this.abandon?.();
  }
}

/** Starts argv detached in its tmux session and follows it from the first byte. */
export async function spawnDetached(host: ScriptHost, argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess> {
  const files = detachedFiles(options.logPath);
  const script = runScript(files, argv, options.cwd, host.exactEnv, options.nice ?? 0);
  const local = host.runFiles;
  const failed = (detail: string) => new Error(`Could not start the agent in tmux session ${options.sessionName}${detail}`);
  const orFailed = <T>(step: Promise<T>) => step.catch((error: unknown) => {
    throw failed(`: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (local) await orFailed(local.write(files, { env: envFile(options.env), prompt: options.stdin, script }));
  const launch = launchScript({ files, sessionName: options.sessionName, cwd: options.cwd, scriptArgv: host.runScriptArgv(files.script), script, filesWritten: Boolean(local), saveLoginEnv: !host.exactEnv });
  const launched = await host.runScript(launch, ["launch"], { ...(local ? {} : { stdin: launchStdin(options.env, options.stdin) }), timeoutMs: 120_000 });
  if (launched.exitCode !== 0) throw failed(` (exit ${launched.exitCode}): ${launched.stderr.trim() || "no output"}`);
  const printed = local ? await orFailed(local.agentPid(files)) : launched.stdout;
  const follower = new DetachedFollower(host, files, { stdout: 0, stderr: 0 }, options);
  const pid = Number(printed.trim());
  follower.pid = Number.isInteger(pid) && pid > 0 ? pid : null;
  return follower;
}

/** Follows a run started earlier (by this server process or the one before it) from saved offsets. */
export function reattach(host: ScriptHost, options: ReattachOptions): DetachedProcess {
  return new DetachedFollower(host, detachedFiles(options.logPath), options.offsets, options);
}

/**
 * Stops a detached run nobody follows any more (one given up while its machine was away):
 * SIGTERM to the agent's process tree, SIGKILL after `graceMs` if the run has not ended.
 */
export async function stopDetached(host: ScriptHost, logPath: string, graceMs: number): Promise<void> {
  const files = detachedFiles(logPath);
  const signal = (name: string) => host.runScript(SIGNAL_SCRIPT, ["ai-slave", files.agentPid, name, files.agentTree]);
  const ended = async () => (await exitStatusOf(host, files)).trim() !== "";
  if (await ended()) return;
  await signal("TERM");
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; await delay(200)) if (await ended()) break;
  await signal("KILL");
}

/** Delivers the logs' lines before the offsets (to rebuild a parser's state after a restart). */
export async function replayLogs(host: ScriptHost, logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void> {
  const files = detachedFiles(logPath);
  const out = new OffsetLines(0, guard(handlers.onStdoutLine));
  const err = new OffsetLines(0, guard(handlers.onStderrLine));
  const stream = await host.streamScript(PREFIX_SCRIPT, ["prefix", files.out, files.err, String(offsets.stdout), String(offsets.stderr)], {
    onStdout: (chunk) => out.push(chunk),
    onStderr: (chunk) => err.push(chunk),
  });
  const result = await stream.exited;
  if (result.lost || result.exitCode !== 0) throw new Error(`Could not read the run's logs at ${logPath} (exit ${result.exitCode}).`);
  out.end();
  err.end();
}

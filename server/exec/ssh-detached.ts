/**
 * Detached remote runs: the agent lives in a tmux session on the remote host, writing its
 * stdout and stderr to files, and the server follows those files by byte offset. A dropped
 * connection is re-followed from the last offset; after a server restart, reattach() continues
 * from a saved offset. The exit status comes from a file the run script writes at the end.
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
  runScript,
  type DetachedFiles,
} from "./ssh-detached-scripts";
import { commandLineFor, execRemote, type RemoteContext } from "./ssh-exec";
import { openRawStream } from "./ssh-stream";
import type { SpawnedProcess, Transport } from "./transport";

/** How far each log was delivered as complete lines, in bytes. */
export interface LogOffsets {
  stdout: number;
  stderr: number;
}

export interface LineHandlers {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
}

export interface DetachedSpawnOptions extends LineHandlers {
  cwd: string;
  env: Record<string, string>;
  /** Written to a file the agent reads as its stdin. */
  stdin: string;
  /** The tmux session (one per task). */
  sessionName: string;
  /** The agent's stdout log; the run's other files sit beside it. */
  logPath: string;
}

export interface ReattachOptions extends LineHandlers {
  logPath: string;
  offsets: LogOffsets;
}

/** A detached run being followed. `pid` is undefined: the agent's pid means nothing here. */
export interface DetachedProcess extends SpawnedProcess {
  /** What was delivered as complete lines so far: where a reattach continues. */
  offsets(): LogOffsets;
  /** Stops following and leaves the agent running (server shutdown); `exited` then never settles. */
  detach(): void;
}

/** A transport that can run a process that outlives the server's connection and the server. */
export interface DetachedTransport extends Transport {
  spawnDetached(argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess>;
  reattach(options: ReattachOptions): DetachedProcess;
  /** Delivers the logs' lines before the offsets (to rebuild a parser's state after a restart). */
  replayLogs(logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void>;
}

export function isDetachedTransport(transport: Transport): transport is DetachedTransport {
  return typeof (transport as Partial<DetachedTransport>).spawnDetached === "function";
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

const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** How long terminate() waits after SIGKILL before giving the run up as unreachable. */
const GIVE_UP_AFTER_KILL_MS = 15_000;

/** Follows one detached run until its exit status is known. */
class DetachedFollower implements DetachedProcess {
  readonly pid = undefined;
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
  private readonly out: OffsetLines;
  private readonly err: OffsetLines;
  private detached = false;
  private settled = false;
  private abandon: (() => void) | null = null;
  private channelClose: (() => void) | null = null;

  constructor(private readonly context: RemoteContext, private readonly files: DetachedFiles, offsets: LogOffsets, private readonly handlers: LineHandlers) {
    this.out = new OffsetLines(offsets.stdout, guard(handlers.onStdoutLine));
    this.err = new OffsetLines(offsets.stderr, guard(handlers.onStderrLine));
    this.exited = new Promise((resolve) => {
      this.abandon = () => resolve({ exitCode: null, signal: null });
      void this.run().then((exitCode) => {
        if (exitCode === undefined) return;
        this.settled = true;
        resolve({ exitCode, signal: null });
      });
    });
  }

  offsets(): LogOffsets {
    return { stdout: this.out.consumed, stderr: this.err.consumed };
  }

  detach(): void {
    this.detached = true;
    this.channelClose?.();
  }

  /** Follows, catches up, reads the exit status; undefined when detached or abandoned. */
  private async run(): Promise<number | null | undefined> {
    if (!(await this.retrying(() => this.followOnce()))) return undefined;
    if (!(await this.retrying(() => this.catchUp()))) return undefined;
    let status = "";
    const read = async () => {
      status = (await this.remote(EXIT_STATUS_SCRIPT, [this.files.exit])).trim();
      return true;
    };
    if (!(await this.retrying(read))) return undefined;
    this.out.end();
    this.err.end();
    // No exit file: the run script itself was killed (tmux server gone, host rebooted).
    const code = Number(status);
    return status !== "" && Number.isInteger(code) ? code : null;
  }

  /** Runs `step` until it reports done, waiting longer between failures; false once detached. */
  private async retrying(step: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; !this.detached; attempt += 1) {
      try {
        if (await step()) return !this.detached;
      } catch (error) {
        if (!this.detached) console.error(`[ssh] following ${this.files.out}: ${(error as Error).message}`);
      }
      if (this.detached) break;
      await delay(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!);
    }
    return false;
  }

  /** One follow channel; true when it ended because the run ended. */
  private async followOnce(): Promise<boolean> {
    const { out, err, exit, pid } = this.files;
    const argv = ["sh", "-c", FOLLOW_SCRIPT, "follow", out, err, exit, pid, String(this.out.received), String(this.err.received)];
    const stream = await openRawStream(this.context.pool, this.context.endpoint, commandLineFor(this.context.target, argv, { cwd: "/" }), {
      stripMarker: true,
      onStdout: (chunk) => this.out.push(chunk),
      onStderr: (chunk) => this.err.push(chunk),
    });
    this.channelClose = () => stream.channel.close();
    const result = await stream.exited;
    this.channelClose = null;
    return !result.lost && result.exitCode === 0;
  }

  private async catchUp(): Promise<boolean> {
    const { out, err } = this.files;
    const argv = ["sh", "-c", CATCH_UP_SCRIPT, "catch-up", out, err, String(this.out.received), String(this.err.received)];
    const stream = await openRawStream(this.context.pool, this.context.endpoint, commandLineFor(this.context.target, argv, { cwd: "/" }), {
      stripMarker: true,
      onStdout: (chunk) => this.out.push(chunk),
      onStderr: (chunk) => this.err.push(chunk),
    });
    const result = await stream.exited;
    return !result.lost;
  }

  private async remote(script: string, args: string[]): Promise<string> {
    const result = await execRemote(this.context, ["sh", "-c", script, "ai-slave", ...args], { cwd: "/" });
    if (result.exitCode !== 0) throw new Error(`remote script failed (${result.exitCode}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  async terminate(graceMs: number): Promise<void> {
    if (this.settled) return;
    const ended = (ms: number) => Promise.race([this.exited.then(() => true), delay(ms).then(() => false)]);
    await this.remote(SIGNAL_SCRIPT, [this.files.agentPid, "TERM"]).catch(() => undefined);
    if (await ended(graceMs)) return;
    await this.remote(SIGNAL_SCRIPT, [this.files.agentPid, "KILL"]).catch(() => undefined);
    if (await ended(GIVE_UP_AFTER_KILL_MS)) return;
    // The host cannot be reached: stop waiting for it.
    guard(this.handlers.onStderrLine)(`AI-Slave: no answer from the host after SIGKILL; the run is given up.`);
    this.detach();
    this.abandon?.();
  }
}

export async function spawnDetached(context: RemoteContext, argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess> {
  const files = detachedFiles(options.logPath);
  const script = launchScript({
    files,
    target: context.target,
    sessionName: options.sessionName,
    cwd: options.cwd,
    envB64: Buffer.from(envFile(options.env)).toString("base64"),
    scriptB64: Buffer.from(runScript(files, argv, options.cwd)).toString("base64"),
  });
  const launched = await execRemote(context, ["sh", "-c", script], { cwd: "/", stdin: options.stdin, timeoutMs: 60_000 });
  if (launched.exitCode !== 0) {
    throw new Error(`Could not start the agent in tmux session ${options.sessionName} (exit ${launched.exitCode}): ${launched.stderr.trim() || "no output"}`);
  }
  return new DetachedFollower(context, files, { stdout: 0, stderr: 0 }, options);
}

export function reattach(context: RemoteContext, options: ReattachOptions): DetachedProcess {
  return new DetachedFollower(context, detachedFiles(options.logPath), options.offsets, options);
}

export async function replayLogs(context: RemoteContext, logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void> {
  const files = detachedFiles(logPath);
  const out = new OffsetLines(0, guard(handlers.onStdoutLine));
  const err = new OffsetLines(0, guard(handlers.onStderrLine));
  const argv = ["sh", "-c", PREFIX_SCRIPT, "prefix", files.out, files.err, String(offsets.stdout), String(offsets.stderr)];
  const stream = await openRawStream(context.pool, context.endpoint, commandLineFor(context.target, argv, { cwd: "/" }), {
    stripMarker: true,
    onStdout: (chunk) => out.push(chunk),
    onStderr: (chunk) => err.push(chunk),
  });
  const result = await stream.exited;
  if (result.lost || result.exitCode !== 0) throw new Error(`Could not read the run's logs at ${logPath} (exit ${result.exitCode}).`);
  out.end();
  err.end();
}

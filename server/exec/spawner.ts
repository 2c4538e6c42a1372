/**
 * The server's end of the spawner (server/exec/spawner.cjs): commands of this machine (git, the
 * run scripts, the run followers' streams) are started by that small process, so the server's
 * event loop does not stop for each spawn().
 * One spawner per server process, started on first use and again after it died; a request it
 * was holding when it died resolves as a failed command, never hangs. AI_SLAVE_SPAWNER=off, or a
 * missing spawner.cjs, starts the commands in this process instead (same results, same API).
 * The spawner runs at AI_SLAVE_WORK_NICE (default 10), so do the commands it starts: on a machine
 * short of CPU (fifty agents, their builds, the git of every dispatch) the server's own thread,
 * which answers the API and the board, is served first. It runs in a session of its own, so a
 * terminal's Ctrl-C stops the server and not the git commands it has in flight.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Socket } from "node:net";
import { config } from "@/server/config";
import type { Readable, Writable } from "node:stream";

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  stdin?: string;
  timeoutMs?: number;
  /** Bytes kept of stdout and of stderr each. */
  capBytes: number;
  /** How long to read output after the exit (a grandchild may hold the pipes). */
  drainMs: number;
  /** A session of its own (ExecOptions.ownSession). */
  ownSession?: boolean;
}

export interface SpawnOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  stdoutDropped: number;
  stderrDropped: number;
  timedOut: boolean;
  /** spawn() itself failed: the binary or the directory is missing, or not executable. */
  startError?: { code: string; message: string };
  /** The spawner died while the command ran: its outcome is unknown. */
  lost?: boolean;
}

interface WireOutcome extends Omit<SpawnOutcome, "stdout" | "stderr"> {
  id: number;
  stdout: string;
  stderr: string;
}

/** A streamed command's output as it comes. */
interface WireChunk {
  id: number;
  o?: string;
  e?: string;
}

export interface StreamHandlers {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface SpawnedStream {
  /** The final outcome (nothing kept of the output: the handlers had it). */
  exited: Promise<SpawnOutcome>;
  /** SIGKILL to the command's process group. */
  close(): void;
}

interface Waiter {
  resolve: (outcome: SpawnOutcome) => void;
  handlers?: StreamHandlers;
}

const lostOutcome = (): SpawnOutcome => ({ exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), stdoutDropped: 0, stderrDropped: 0, timedOut: false, lost: true });

export class Spawner {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Waiter>();
  private nextId = 1;
  private buffered = "";
  /** The WAL checkpointers asked for, asked again of a spawner started after one died. */
  private readonly checkpoints = new Map<string, { file: string; module: string; intervalMs: number }>();

  /** `nice`: the niceness the spawner and so every command it starts run at (never lower than the server's). */
  constructor(
    private readonly script: string,
    private readonly nice = 0,
  ) {}

  run(request: SpawnRequest): Promise<SpawnOutcome> {
    return this.send(request).exited;
  }

  /** Starts a command whose output goes to the handlers as it comes. */
  stream(request: Omit<SpawnRequest, "capBytes" | "timeoutMs">, handlers: StreamHandlers): SpawnedStream {
    return this.send({ ...request, capBytes: 0, stream: true }, handlers);
  }

  private send(request: SpawnRequest & { stream?: boolean }, handlers?: StreamHandlers): SpawnedStream {
    const child = this.child ?? this.start();
    const id = this.nextId++;
    const exited = new Promise<SpawnOutcome>((resolve) => {
      if (this.pending.size === 0) this.holdOpen(child, true);
      this.pending.set(id, { resolve, handlers });
      (child.stdin as Writable).write(`${JSON.stringify({ id, ...request })}\n`);
    });
    return {
      exited,
      close: () => {
        if (this.child === child && this.pending.has(id)) (child.stdin as Writable).write(`${JSON.stringify({ kill: id })}\n`);
      },
    };
  }

  /**
   * Has the spawner checkpoint the database's WAL every `intervalMs` in a worker thread of its own
   * (server/db/wal-checkpoint.ts); `module` is better-sqlite3's folder. Once per file.
   */
  checkpointWal(file: string, module: string, intervalMs: number): void {
    if (this.checkpoints.has(file)) return;
    const request = { file, module, intervalMs };
    this.checkpoints.set(file, request);
    // A spawner started now is sent every checkpointer asked for (start()).
    if (this.child) (this.child.stdin as Writable).write(`${JSON.stringify({ checkpoint: request })}\n`);
    else this.start();
  }

  /** The spawner's pid while it runs (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): ChildProcess {
    // Its own environment is bare: every request carries the command's. A session of its own
    // (detached): a terminal's Ctrl-C, sent to the server's process group, leaves the commands in
    // flight to finish while the server stops; the spawner gives that session's scheduling group
    // the work niceness (spawner.cjs), and exits once the server is gone.
    const child: ChildProcess = spawn(process.execPath, [this.script, String(this.nice)], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { PATH: process.env.PATH ?? "", NODE_ENV: process.env.NODE_ENV },
      detached: true,
    });
    this.child = child;
    this.buffered = "";
    child.unref();
    (child.stdin as Writable).on("error", () => undefined);
    (child.stdout as Readable).setEncoding("utf8");
    (child.stdout as Readable).on("data", (text: string) => this.receive(text));
    child.once("exit", () => {
      if (this.child === child) this.child = null;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const { resolve } of waiting) resolve(lostOutcome());
    });
    this.holdOpen(child, false);
    for (const checkpoint of this.checkpoints.values()) (child.stdin as Writable).write(`${JSON.stringify({ checkpoint })}\n`);
    return child;
  }

  /** While commands are out, the pipe keeps this process alive; idle, the spawner never does. */
  private holdOpen(child: ChildProcess, hold: boolean): void {
    // The pipes to a child are sockets.
    for (const stream of [child.stdout, child.stdin] as unknown as (Socket | null)[]) {
      if (hold) stream?.ref();
      else stream?.unref();
    }
  }

  private receive(text: string): void {
    this.buffered += text;
    for (let end = this.buffered.indexOf("\n"); end !== -1; end = this.buffered.indexOf("\n")) {
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      const wire = JSON.parse(line) as WireOutcome | WireChunk;
      const waiter = this.pending.get(wire.id);
      if (!waiter) continue;
      if (!("exitCode" in wire)) {
        if (wire.o !== undefined) waiter.handlers?.onStdout(Buffer.from(wire.o, "base64"));
        if (wire.e !== undefined) waiter.handlers?.onStderr(Buffer.from(wire.e, "base64"));
        continue;
      }
      this.pending.delete(wire.id);
      if (this.pending.size === 0 && this.child) this.holdOpen(this.child, false);
      waiter.resolve({ ...wire, stdout: Buffer.from(wire.stdout, "base64"), stderr: Buffer.from(wire.stderr, "base64") });
    }
  }
}

let shared: Spawner | null | undefined;

/** The process-wide spawner, or null when commands start in this process. */
export function sharedSpawner(): Spawner | null {
  if (shared !== undefined) return shared;
  const script = path.join(/*turbopackIgnore: true*/ config().projectRoot, "server", "exec", "spawner.cjs");
  shared = process.env.AI_SLAVE_SPAWNER === "off" || !fs.existsSync(script) ? null : new Spawner(script, config().workNice);
  return shared;
}

/**
 * A detached run's logs and exit status on this machine, read by the server itself: the same
 * contract as FOLLOW_SCRIPT, CATCH_UP_SCRIPT and EXIT_STATUS_SCRIPT (detached-scripts.ts), without
 * their processes. Through the scripts every run cost a `sh`, three `tail`s and a `timeout`
 * started while its agent starts, and every byte took two more hops (tail's pipe, the spawner's
 * base64 lines) on a machine whose two cores the agents, the server and its clients share. Here
 * a file is read where it grew, woken by inotify (fs.watch) and, in case an event is missed, by a
 * look every 200 ms, the interval of the scripts' `tail -s 0.2`.
 *
 * One chunk (64 KB) at a time, the next read only after the handlers took the last one and the
 * event loop turned: the server reads as fast as it stores, and an agent that prints faster only
 * grows its file.
 */
import fs from "node:fs";
import type { ChunkHandlers, LogOffsets, ScriptStream } from "./detached";
import type { DetachedFiles } from "./detached-scripts";
import { isProcessAlive } from "./process-group";

const CHUNK_BYTES = 64 * 1024;
const LOOK_EVERY_MS = 200;

/** The one buffer every read lands in (64 KB, made on first use). */
let scratch: Buffer | null = null;

/**
 * Up to 64 KB of a file from `position`, in a buffer of its own size (a handler may keep it: a
 * partial line); null at the end or on an error, as the end. A synchronous read: what it reads
 * was just written, so it comes from the page cache in microseconds, where the thread pool's
 * round trip (a queued job, a thread's wake-up, the loop's) cost several times that per read
 * (50 runs printing 100 times a second each read 5,000 times a second). One buffer serves all
 * reads, reused: a new 64 KB buffer per read, over 100 MB/s of memory outside V8's heap at that
 * rate, kept V8 in full collections, one every 150 ms.
 */
function readAt(fd: number, position: number): Buffer | null {
  scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
  let bytes: number;
  try {
    bytes = fs.readSync(fd, scratch, 0, CHUNK_BYTES, position);
  } catch {
    return null;
  }
  return bytes === 0 ? null : Buffer.from(scratch.subarray(0, bytes));
}

/** Reads one file from an offset as it grows. */
class GrowingFile {
  private fd: number | null = null;
  /** The read in progress, and one more after it for whoever asked meanwhile (the file may have grown since it began). */
  private reading: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private position: number,
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly stopped: () => boolean,
  ) {}

  /** Resolves once everything the file held when it was called has been handed on. */
  drain(): Promise<void> {
    if (!this.reading) {
      this.reading = this.readToEnd().finally(() => {
        this.reading = null;
      });
      return this.reading;
    }
    this.queued ??= this.reading.then(() => {
      this.queued = null;
      return this.drain();
    });
    return this.queued;
  }

  private async readToEnd(): Promise<void> {
    while (!this.stopped()) {
      const fd = await this.open();
      if (fd === null) return;
      const chunk = readAt(fd, this.position);
      if (chunk === null || this.stopped()) return;
      this.position += chunk.length;
      this.onChunk(chunk);
      // A short read reached the end: no read to find it again. What is written after it wakes
      // another drain (fs.watch, queued behind this one) or the next look.
      if (chunk.length < CHUNK_BYTES) return;
      // A file that grew by more: the next chunk after whatever else waits on the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The file's descriptor, opened on first need; null while the file is not there (as `tail -F` waits for it). */
  private async open(): Promise<number | null> {
    if (this.fd !== null) return this.fd;
    const fd = await new Promise<number | null>((resolve) => fs.open(this.file, "r", (error, opened) => resolve(error ? null : opened)));
    // Closed while it opened: nobody will close it later.
    if (fd !== null && this.stopped()) {
      fs.close(fd, () => undefined);
      return null;
    }
    this.fd = fd;
    return fd;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    // After a read in flight: closing under it could hand its number to another file.
    void (this.reading ?? Promise.resolve()).finally(() => fs.close(fd, () => undefined));
  }
}

/** The run script's pid from its file (a small file the kernel has cached), null while it has not written one. */
function scriptPid(files: DetachedFiles): number | null {
  let text: string;
  try {
    text = fs.readFileSync(files.pid, "utf8");
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * FOLLOW_SCRIPT's `alive`: no exit status yet, the log still there, and the run script running (or
 * not started yet). Asked every 200 ms of every run, so without the thread pool: two `stat`s of
 * names the kernel has cached and a signal 0; the pid file, written once, is read until it is there.
 */
function aliveCheck(files: DetachedFiles): () => boolean {
  let pid: number | null = null;
  return () => {
    if (fs.existsSync(files.exit) || !fs.existsSync(files.out)) return false;
    pid ??= scriptPid(files);
    return pid === null || isProcessAlive(pid);
  };
}

/**
 * EXIT_STATUS_SCRIPT's answer without its `sh` and `cat`: the exit file's text; "" while the run
 * script runs; "gone" when it is not running and left no status (tmux killed, host rebooted).
 */
export async function readExitStatus(files: DetachedFiles): Promise<string> {
  const status = () => fs.promises.readFile(files.exit, "utf8").catch(() => null);
  const first = await status();
  if (first !== null) return first;
  const pid = scriptPid(files);
  if (pid !== null && isProcessAlive(pid)) return "";
  // It may have written the status just after the first look.
  return (await status()) ?? "gone";
}

/**
 * Both logs from the offsets: until the run has ended ("run-ended", as FOLLOW_SCRIPT; what the run
 * wrote until then is delivered before `exited` resolves), or once to their ends ("end-of-file",
 * as CATCH_UP_SCRIPT). close() stops at once; `exited` then resolves too.
 */
export function readRunLogs(files: DetachedFiles, offsets: LogOffsets, handlers: ChunkHandlers, until: "run-ended" | "end-of-file"): ScriptStream {
  let closed = false;
  const stopped = () => closed;
  const out = new GrowingFile(files.out, offsets.stdout, handlers.onStdout, stopped);
  const err = new GrowingFile(files.err, offsets.stderr, handlers.onStderr, stopped);
  const drainBoth = () => Promise.all([out.drain(), err.drain()]);
  const watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;

  const finish = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const watcher of watchers.splice(0)) watcher.close();
    out.close();
    err.close();
    wake?.();
  };

  const follow = async (): Promise<void> => {
    if (until === "run-ended") {
      for (const [file, growing] of [[files.out, out], [files.err, err]] as const) {
        try {
          const watcher = fs.watch(file, { persistent: false }, () => void growing.drain());
          watcher.on("error", () => undefined);
          watchers.push(watcher);
        } catch {
          // Not there (yet): the looks below read it.
        }
      }
      const alive = aliveCheck(files);
      while (!closed && alive()) {
        await drainBoth();
        if (closed) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, LOOK_EVERY_MS);
        });
        wake = null;
      }
    }
    if (!closed) await drainBoth();
  };

  const exited = follow().then(
    () => {
      const wasClosed = closed;
      finish();
      return { exitCode: wasClosed ? null : 0, lost: false };
    },
    () => {
      finish();
      return { exitCode: null, lost: true };
    },
  );
  return { exited, close: finish };
}

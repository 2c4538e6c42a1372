import "server-only";
import { tooMany } from "@/lib/errors";
import { config } from "@/server/config";
import { processCounter } from "@/server/singleton";

/**
 * Server-Sent Events plumbing: a Response whose body is fed from a bounded per-client queue.
 *
 * The stream is pull-based (highWaterMark 0): messages wait in our own queue until the client's
 * connection takes them, and everything queued by then goes out as one chunk, so a fast client
 * gets small, prompt writes and a slow one gets fewer, larger ones. Past `maxQueued` messages the
 * client is too slow to keep up: the stream is closed and the client reconnects with
 * Last-Event-ID, catching up from the database instead of from our memory.
 */

export interface SseMessage {
  id?: string;
  event?: string;
  /** One line of JSON in practice; a multi-line value is split into several `data:` lines. */
  data: string;
}

export interface SseChannel {
  /** Queues a message. False once the channel is closed; a client that stays past the cap is dropped. */
  send(message: SseMessage): boolean;
  /** Resolves once the client took the queue down to at most `atMost` messages, or on close. */
  drained(atMost?: number): Promise<void>;
  /** Sends what is queued, then ends the response. */
  end(): void;
  /** Runs `cleanup` when the channel closes for any reason (end, client gone, overflow); returns its remover. */
  onClose(cleanup: () => void): () => void;
  readonly closed: boolean;
}

export interface SseOptions {
  /** The request's signal: the client going away closes the channel. */
  signal?: AbortSignal;
  heartbeatMs?: number;
  maxQueued?: number;
  /** Sent as `retry:`: how long a browser waits before reconnecting. */
  retryMs?: number;
}

/** Open streams at once, over all clients; the next one is refused with 429. */
export const MAX_SSE_CONNECTIONS = 200;
const open = () => processCounter("sse-open");

/** How many SSE streams are open now in this process. */
export function openSseCount(): number {
  return open().value;
}

function countOpen(delta: number): void {
  open().value += delta;
}

export function sseHeartbeatMs(): number {
  return config().sseHeartbeatMs;
}

export function sseMaxQueued(): number {
  return config().sseMaxQueued;
}

export function formatSse(message: SseMessage): string {
  let text = "";
  if (message.id !== undefined) text += `id: ${message.id}\n`;
  if (message.event !== undefined) text += `event: ${message.event}\n`;
  if (message.data.includes("\n")) text += message.data.split(/\r?\n/).map((part) => `data: ${part}\n`).join("");
  else text += `data: ${message.data}\n`;
  return `${text}\n`;
}

class SseStream implements SseChannel {
  private parts: string[] = [];
  private queued = 0;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private wakePull: (() => void) | null = null;
  private flushScheduled = false;
  private ending = false;
  private isClosed = false;
  private overflowCheck: NodeJS.Immediate | null = null;
  private readonly cleanups: (() => void)[] = [];
  private drainWaiters: { atMost: number; resolve: () => void }[] = [];
  private readonly encoder = new TextEncoder();
  readonly stream: ReadableStream<Uint8Array>;

  constructor(private readonly maxQueued: number) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: () => this.abort(),
      },
      { highWaterMark: 0 },
    );
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(message: SseMessage): boolean {
    return this.write(formatSse(message));
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  write(text: string): boolean {
    if (this.isClosed || this.ending) return false;
    this.parts.push(text);
    this.queued += 1;
    if (this.queued > this.maxQueued) this.checkOverflow();
    this.scheduleFlush();
    return true;
  }

  /**
   * One bus batch can be larger than the cap: the client gets a turn to take it before being
   * judged too slow. A client still over the cap after that is dropped.
   */
  private checkOverflow(): void {
    this.overflowCheck ??= setImmediate(() => {
      this.overflowCheck = null;
      if (this.queued > this.maxQueued) this.abort();
    });
  }

  drained(atMost = 0): Promise<void> {
    if (this.isClosed || this.queued <= atMost) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ atMost, resolve }));
  }

  end(): void {
    if (this.isClosed) return;
    this.ending = true;
    if (this.parts.length === 0) this.finish();
  }

  onClose(cleanup: () => void): () => void {
    if (this.isClosed) {
      cleanup();
      return () => {};
    }
    this.cleanups.push(cleanup);
    return () => {
      const index = this.cleanups.indexOf(cleanup);
      if (index !== -1) this.cleanups.splice(index, 1);
    };
  }

  /** The client gone (cancel, abort) or too slow (overflow): drop what is queued and stop. */
  abort(): void {
    if (this.isClosed) return;
    this.parts = [];
    this.queued = 0;
    this.finish();
  }

  private pull(): Promise<void> | void {
    if (this.parts.length > 0) return this.flushNow();
    if (this.isClosed) return;
    return new Promise((resolve) => {
      this.wakePull = resolve;
    });
  }

  /** Coalesces everything sent in the same tick (a bus batch) into one chunk. */
  private scheduleFlush(): void {
    if (!this.wakePull || this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      if (this.wakePull) this.flushNow();
    });
  }

  private flushNow(): void {
    if (this.parts.length === 0 || this.isClosed) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    this.parts = [];
    this.queued = 0;
    this.controller.enqueue(this.encoder.encode(text));
    const wake = this.wakePull;
    this.wakePull = null;
    wake?.();
    this.releaseDrainWaiters();
    if (this.ending) this.finish();
  }

  private releaseDrainWaiters(): void {
    const waiting = this.drainWaiters;
    this.drainWaiters = waiting.filter((waiter) => !(this.isClosed || this.queued <= waiter.atMost));
    for (const waiter of waiting) if (this.isClosed || this.queued <= waiter.atMost) waiter.resolve();
  }

  private closeBody(): void {
    try {
      this.controller.close();
    } catch {
      // Already closed or cancelled by the consumer.
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.overflowCheck) clearImmediate(this.overflowCheck);
    this.closeBody();
    const wake = this.wakePull;
    this.wakePull = null;
    wake?.();
    this.releaseDrainWaiters();
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (error) {
        console.error("[sse] cleanup failed", error);
      }
    }
  }
}

/**
 * An SSE Response. `start` subscribes and sends through the channel; whatever it registers with
 * `onClose` is undone when the client goes away. Throws a 429 AppError past MAX_SSE_CONNECTIONS.
 */
export function sseResponse(start: (channel: SseChannel) => Promise<void> | void, options: SseOptions = {}): Response {
  if (openSseCount() >= MAX_SSE_CONNECTIONS) {
    throw tooMany("sse", `${MAX_SSE_CONNECTIONS} event streams are open already; close a tab or try again shortly.`);
  }
  const channel = new SseStream(options.maxQueued ?? sseMaxQueued());
  countOpen(1);
  channel.onClose(() => countOpen(-1));
  channel.write(`retry: ${options.retryMs ?? 3000}\n\n`);
  const heartbeat = setInterval(() => channel.comment("ping"), options.heartbeatMs ?? sseHeartbeatMs());
  heartbeat.unref?.();
  channel.onClose(() => clearInterval(heartbeat));

  const signal = options.signal;
  if (signal) {
    const onAbort = () => channel.abort();
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      channel.onClose(() => signal.removeEventListener("abort", onAbort));
    }
  }

  const fail = (error: unknown) => {
    console.error("[sse] stream failed", error);
    channel.abort();
  };
  // Called at once, so what `start` subscribes synchronously sees every later event.
  try {
    void Promise.resolve(start(channel)).catch(fail);
  } catch (error) {
    fail(error);
  }

  return new Response(channel.stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform keeps Next's gzip from buffering the stream.
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}

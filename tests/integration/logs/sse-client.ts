/**
 * A small SSE client over a Response body, as a browser's EventSource parses it: `field: value`
 * lines, a blank line ends a message, lines starting with ":" are comments.
 */

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The last id received, as EventSource would send it back in Last-Event-ID. */
  lastEventId: string | undefined;
  /** Resolves when the server ends the stream (or the reader is cancelled). */
  readonly done: Promise<void>;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly waiters = new Set<() => void>();
  private current: Partial<SseEvent> & { dataLines?: string[] } = {};
  private rest = "";
  private ended = false;

  /** `keep: false` only calls onEvent (for the benchmark: no memory for a million events). */
  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly onEvent?: (event: SseEvent) => void,
    private readonly options: { keep?: boolean } = {},
  ) {
    if (!body) throw new Error("The response has no body.");
    this.reader = body.getReader();
    this.done = this.pump();
  }

  get closed(): boolean {
    return this.ended;
  }

  ofType(type: string): SseEvent[] {
    return this.events.filter((event) => event.event === type);
  }

  /** Waits until `predicate` holds (checked after every message), failing after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 20_000, what = "a condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.ended && !predicate()) throw new Error(`The stream ended before ${what}.`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`Timed out waiting for ${what}.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.min(remaining, 200));
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
    await this.done;
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Cancelled.
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private feed(text: string): void {
    const lines = (this.rest + text).split("\n");
    this.rest = lines.pop() ?? "";
    for (const line of lines) this.line(line);
    this.wake();
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return void this.comments.push(line.slice(1).trim());
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") (this.current.dataLines ??= []).push(value);
    else if (field === "event") this.current.event = value;
    else if (field === "id") this.current.id = value;
  }

  private dispatch(): void {
    const { dataLines, event, id } = this.current;
    this.current = {};
    if (id !== undefined) this.lastEventId = id;
    if (!dataLines) return;
    const message: SseEvent = { event: event ?? "message", data: dataLines.join("\n"), ...(id !== undefined ? { id } : {}) };
    if (this.options.keep !== false) this.events.push(message);
    this.onEvent?.(message);
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }
}

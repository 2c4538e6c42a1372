import "server-only";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";
import type { EventBus } from "@/server/events/bus";
import { insertLogRows, updateLogProgress, type LogRow } from "./log-store";

const FLUSH_DELAY_MS = 5;
const MAX_PENDING = 2000;

/**
 * Appends a run's events to the stored log, in order, and only then publishes them on the bus.
 * Writes are batched (a few ms, or 2000 events) so a chatty agent costs few statements.
 * Past the size cap (in UTF-8 bytes of stored JSON) one visible marker is written and further
 * output is dropped.
 */
export class RunLogWriter {
  private seq: number;
  private bytes: number;
  private truncated: boolean;
  private pending: LogRow[] = [];
  private pendingEvents: StoredLogEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failed: unknown = null;

  constructor(
    private readonly runId: number,
    private readonly bus: EventBus,
    private readonly capBytes: number,
    start: { seq: number; bytes: number; truncated: boolean } = { seq: 0, bytes: 0, truncated: false },
  ) {
    this.seq = start.seq;
    this.bytes = start.bytes;
    this.truncated = start.truncated;
  }

  /** Queues events; the first may carry the output line it came from. */
  append(events: LogEvent[], line?: string): void {
    for (let index = 0; index < events.length && !this.truncated; index += 1) {
      const event = events[index]!;
      const withLine = index === 0 && line !== undefined && event.kind !== "raw" && event.kind !== "line" ? { ...event, line } : event;
      const data = JSON.stringify(withLine);
      const size = Buffer.byteLength(data);
      if (this.bytes + size > this.capBytes) {
        this.truncated = true;
        const marker: LogEvent = { kind: "system", message: `Log truncated: this run's log reached its cap of ${this.capBytes} bytes; later output is not stored.` };
        this.push(marker, JSON.stringify(marker));
        return;
      }
      this.bytes += size;
      this.push(withLine, data);
    }
  }

  private push(event: LogEvent, data: string): void {
    this.seq += 1;
    const ts = new Date().toISOString();
    this.pending.push({ seq: this.seq, ts, kind: event.kind, data });
    this.pendingEvents.push({ ...event, seq: this.seq, ts });
    // A full batch goes to the store at once; a partial one waits a few ms for company.
    if (this.pending.length >= MAX_PENDING) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Stores what is queued, then publishes it. Resolves when everything queued so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.pending;
    const events = this.pendingEvents;
    if (rows.length === 0) return this.chain;
    this.pending = [];
    this.pendingEvents = [];
    const progress = { seq: rows[rows.length - 1]!.seq, bytes: this.bytes, truncated: this.truncated };
    this.chain = this.chain.then(async () => {
      try {
        await insertLogRows(this.runId, rows);
        await updateLogProgress(this.runId, progress);
        this.bus.publishRunLog(this.runId, events);
      } catch (error) {
        // Unstored events are not published: a viewer never sees what a reload would not show.
        this.failed = error;
        console.error(`[run ${this.runId}] storing log failed`, error);
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failed) throw this.failed;
  }

  get lastSeq(): number {
    return this.seq;
  }
}

import "server-only";
import type { LogEvent } from "@/lib/log-events";
import type { EventBus, StoredLogRow } from "./bus";
import { storageError } from "@/server/db/storage-errors";
import { storeRunLogBatches, type LogProgress, type LogRow } from "./log-store";

const FLUSH_DELAY_MS = 5;
const MAX_PENDING = 2000;

/** What one writer hands to a flush: its queued rows, stored together with other runs' rows. */
interface Batch {
  runId: number;
  rows: LogRow[];
  progress: LogProgress;
  publish(): void;
  fail(error: unknown): void;
}

/**
 * One flush loop for all the writers of this process. Each cycle stores what every run queued
 * in a few statements and then publishes per run, so fifty runs that each print a line now and
 * then cost about the statements of one, instead of two statements per line each.
 */
class LogFlusher {
  private readonly dirty = new Set<RunLogWriter>();
  private timer: NodeJS.Timeout | null = null;
  private tail: Promise<void> = Promise.resolve();
  /** The next cycle, not started yet: it takes whatever is queued when it starts. */
  private queued: Promise<void> | null = null;

  schedule(writer: RunLogWriter, urgent: boolean): void {
    this.dirty.add(writer);
    if (urgent) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Resolves once everything queued so far is stored (or failed) and published. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queued ??= this.tail.then(() => {
      this.queued = null;
      return this.cycle();
    });
    this.tail = this.queued;
    return this.queued;
  }

  private async cycle(): Promise<void> {
    const batches: Batch[] = [];
    for (const writer of this.dirty) {
      const batch = writer.takeBatch();
      if (batch) batches.push(batch);
    }
    this.dirty.clear();
    if (batches.length === 0) return;
    try {
      await storeRunLogBatches(batches);
    } catch {
      // One run's failure (a run deleted while it wrote) must not cost the others their lines.
      return storeOneByOne(batches);
    }
    for (const batch of batches) batch.publish();
  }
}

async function storeOneByOne(batches: Batch[]): Promise<void> {
  for (const batch of batches) {
    try {
      await storeThroughStorageFaults(batch);
      batch.publish();
    } catch (error) {
      batch.fail(error);
    }
  }
}

/** Waits between tries while the disk is full or another process holds the database: 1, 2, 4, 8, then 10 s. */
const STORAGE_RETRY_MS = [1_000, 2_000, 4_000, 8_000];
const STORAGE_GIVE_UP_MS = 15 * 60_000;

/**
 * A batch that meets a full disk or a locked database is kept and tried again, in order, until
 * the fault passes (15 min at most): the lines are in memory and nothing later is stored before
 * them, so the stored log has no gap. Any other failure (a run deleted while it wrote) is final.
 */
async function storeThroughStorageFaults(batch: Batch): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await storeRunLogBatches([batch], { skipStored: true });
    } catch (error) {
      if (!storageError(error) || Date.now() - started > STORAGE_GIVE_UP_MS) throw error;
      if (attempt === 0) console.error(`[run ${batch.runId}] storing log: ${storageError(error)!.message} Keeping the lines and trying again.`);
      await new Promise((resolve) => setTimeout(resolve, STORAGE_RETRY_MS[attempt] ?? 10_000));
    }
  }
}

const flusher = new LogFlusher();

/**
 * The event's JSON with the output line it came from as `line`, last: what
 * JSON.stringify({ ...event, line }) gives, without a copy of the event per line.
 */
function withLine(event: LogEvent, line: string): string {
  if ("line" in event) return JSON.stringify({ ...event, line });
  const json = JSON.stringify(event);
  return `${json.slice(0, -1)},"line":${JSON.stringify(line)}}`;
}

/**
 * Appends a run's events to the stored log, in order, and only then publishes them on the bus.
 * Writes are batched (a few ms, or 2000 events, over all runs) so a chatty agent costs few
 * statements. Past the size cap (in UTF-8 bytes of stored JSON) one visible marker is written
 * and further output is dropped.
 */
export class RunLogWriter {
  private seq: number;
  private bytes: number;
  private truncated: boolean;
  private pending: (LogRow & StoredLogRow)[] = [];
  private failed: unknown = null;
  private lastMs = 0;
  private lastTs = "";

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
      const data = index === 0 && line !== undefined && event.kind !== "raw" && event.kind !== "line" ? withLine(event, line) : JSON.stringify(event);
      const size = Buffer.byteLength(data);
      if (this.bytes + size > this.capBytes) {
        this.truncated = true;
        const marker: LogEvent = { kind: "system", message: `Log truncated: this run's log reached its cap of ${this.capBytes} bytes; later output is not stored.` };
        this.push(marker.kind, JSON.stringify(marker));
        return;
      }
      this.bytes += size;
      this.push(event.kind, data);
    }
  }

  private push(kind: string, data: string): void {
    this.seq += 1;
    // One row per event: stored, then published as it is (the bus's subscribers build the
    // event's JSON from it); no second object per line.
    this.pending.push({ seq: this.seq, ts: this.now(), kind, data });
    // A full batch goes to the store at once; a partial one waits a few ms for company.
    flusher.schedule(this, this.pending.length >= MAX_PENDING);
  }

  /** The time as ISO text, formatted once per millisecond: a busy agent prints many lines in one. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastTs = new Date(ms).toISOString();
    }
    return this.lastTs;
  }

  /** For the flusher: what is queued, as one batch; null when nothing is. */
  takeBatch(): Batch | null {
    if (this.pending.length === 0) return null;
    const rows = this.pending;
    this.pending = [];
    return {
      runId: this.runId,
      rows,
      progress: { runId: this.runId, seq: rows[rows.length - 1]!.seq, bytes: this.bytes, truncated: this.truncated },
      publish: () => this.bus.publishRunLog(this.runId, rows),
      fail: (error) => {
        // Unstored events are not published: a viewer never sees what a reload would not show.
        this.failed = error;
        console.error(`[run ${this.runId}] storing log failed`, error);
      },
    };
  }

  /** Stores what is queued, then publishes it. Resolves when everything queued so far is stored. */
  flush(): Promise<void> {
    return flusher.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failed) throw this.failed;
  }

  get lastSeq(): number {
    return this.seq;
  }
}

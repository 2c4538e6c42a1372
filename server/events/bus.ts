import { EventEmitter } from "node:events";
import type { BoardEvent, BoardMessage } from "@/lib/schemas/events";
import type { RunEnd } from "@/lib/schemas/logs";

export type { BoardEvent } from "@/lib/schemas/events";
export type { RunEnd } from "@/lib/schemas/logs";

/**
 * A stored log event as the bus carries it: its seq, time and stored JSON (the event without
 * them). A subscriber builds the event's JSON from it (storedEventJson) without parsing it.
 */
export interface StoredLogRow {
  readonly seq: number;
  readonly ts: string;
  readonly data: string;
}

/**
 * The in-process event bus. Run logs are published here only after they were stored, so a
 * subscriber that first reads the stored log and then follows the bus misses nothing.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private boardSeq = 0;

  constructor() {
    // Every SSE client is a listener; a hundred viewers are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  publishBoard(event: BoardEvent): void {
    this.boardSeq += 1;
    this.emitter.emit("board", { ...event, seq: this.boardSeq, at: new Date().toISOString() });
  }

  onBoard(listener: (event: BoardMessage) => void): () => void {
    this.emitter.on("board", listener);
    return () => this.emitter.off("board", listener);
  }

  /** Events of a run's log, just stored, in seq order. */
  publishRunLog(runId: number, rows: readonly StoredLogRow[]): void {
    if (rows.length > 0) this.emitter.emit(`run:${runId}`, rows);
  }

  publishRunEnd(end: RunEnd): void {
    this.emitter.emit(`run-end:${end.runId}`, end);
  }

  onRunLog(runId: number, listener: (rows: readonly StoredLogRow[]) => void): () => void {
    this.emitter.on(`run:${runId}`, listener);
    return () => this.emitter.off(`run:${runId}`, listener);
  }

  onRunEnd(runId: number, listener: (end: RunEnd) => void): () => void {
    this.emitter.on(`run-end:${runId}`, listener);
    return () => this.emitter.off(`run-end:${runId}`, listener);
  }

  listenerCount(runId: number): number {
    return this.emitter.listenerCount(`run:${runId}`);
  }

  /** Subscribers of a run's log and end, and of the board: for leak checks. */
  listenerCounts(runId?: number): { runLog: number; runEnd: number; board: number } {
    return {
      runLog: runId === undefined ? 0 : this.emitter.listenerCount(`run:${runId}`),
      runEnd: runId === undefined ? 0 : this.emitter.listenerCount(`run-end:${runId}`),
      board: this.emitter.listenerCount("board"),
    };
  }
}

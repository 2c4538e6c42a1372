import { EventEmitter } from "node:events";
import type { TaskStatus } from "@/lib/enums";
import type { StoredLogEvent } from "@/lib/log-events";

/** Changes the board cares about; sent on the global `/api/events` stream. */
export type BoardEvent =
  | { type: "task.created" | "task.updated" | "task.deleted" | "task.started" | "task.finished" | "task.merged"; taskId: number; workspaceId: number; status: TaskStatus | null }
  | { type: "workspace.changed"; workspaceId: number }
  | { type: "quota.changed"; provider: string; state: string; resetsAt: string | null };

/** The end of a run's log stream. */
export interface RunEnd {
  runId: number;
  status: string;
  errorClass: string | null;
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

  onBoard(listener: (event: BoardEvent & { seq: number; at: string }) => void): () => void {
    this.emitter.on("board", listener);
    return () => this.emitter.off("board", listener);
  }

  /**
   * `stored`, when given, holds each event's stored `data` JSON (same order), so subscribers can
   * build an event's JSON without serializing it again (see storedEventJson).
   */
  publishRunLog(runId: number, events: StoredLogEvent[], stored?: readonly { data: string }[]): void {
    if (events.length > 0) this.emitter.emit(`run:${runId}`, events, stored);
  }

  publishRunEnd(end: RunEnd): void {
    this.emitter.emit(`run-end:${end.runId}`, end);
  }

  onRunLog(runId: number, listener: (events: StoredLogEvent[], stored?: readonly { data: string }[]) => void): () => void {
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

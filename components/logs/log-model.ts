import { ZERO_USAGE, type StoredLogEvent, type ToolStatus, type UsageFigures } from "@/lib/log-events";

/**
 * The log viewer's state, outside React: events in, rows out. Mutable on purpose: a run can
 * send 100k events, and copying arrays per batch would make the browser crawl. `version` goes
 * up on every change; the component re-renders on it.
 */

/** `order` counts every row and event in arrival order: trimming cuts both lists at one point. */
interface Placed {
  key: string;
  order: number;
  runId: number;
}

export type LogRowModel = Placed &
  (
    | { type: "event"; event: StoredLogEvent }
    /** A tool call; its result, when it came, sets `status` and `result`. */
    | { type: "tool"; event: Extract<StoredLogEvent, { kind: "tool_call" }>; status: ToolStatus; result?: Extract<StoredLogEvent, { kind: "tool_result" }> }
    /** A setup script or check, collapsed under one row: its output lines and, once ended, its result. */
    | { type: "phase"; event: Extract<StoredLogEvent, { kind: "phase" }>; output: string[]; lines: number }
    | { type: "run" }
    | { type: "end"; status: string; errorClass: string | null }
  );

type ToolRow = Extract<LogRowModel, { type: "tool" }>;
type PhaseRow = Extract<LogRowModel, { type: "phase" }>;

export interface RawRowModel extends Placed {
  event: StoredLogEvent;
}

export const DEFAULT_MAX_EVENTS = 200_000;
/** Hidden in the normal view: shown through other rows (tool results, usage) or not at all. */
const HIDDEN_KINDS = new Set(["line", "session", "usage", "tool_result"]);

export class LogModel {
  rows: LogRowModel[] = [];
  rawRows: RawRowModel[] = [];
  version = 0;
  /** Events dropped from the front to keep the browser's memory bounded. */
  dropped = 0;
  private readonly tools = new Map<string, ToolRow>();
  /** The phase of each run whose output is arriving now. */
  private readonly phases = new Map<number, PhaseRow>();
  private order = 0;
  private readonly markers = new Set<string>();
  private readonly lastSeq = new Map<number, number>();
  private readonly usageByRun = new Map<number, UsageFigures>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  addEvents(runId: number, events: StoredLogEvent[]): void {
    for (const event of events) this.addEvent(runId, event);
    this.trim();
    this.changed();
  }

  /** A run separator; a stream that reconnects announces its run again, which adds nothing. */
  startRun(runId: number): void {
    if (this.markers.has(`run-${runId}`)) return;
    this.markers.add(`run-${runId}`);
    this.rows.push({ key: `run-${runId}`, order: this.order++, type: "run", runId });
    this.changed();
  }

  endRun(runId: number, status: string, errorClass: string | null): void {
    if (this.markers.has(`end-${runId}`)) return;
    this.markers.add(`end-${runId}`);
    this.rows.push({ key: `end-${runId}`, order: this.order++, type: "end", runId, status, errorClass });
    this.changed();
  }

  /** The run's own figures (from the run record) replace the ones summed from its usage events. */
  setRunUsage(runId: number, usage: UsageFigures): void {
    this.usageByRun.set(runId, usage);
    this.changed();
  }

  get usage(): UsageFigures | null {
    if (this.usageByRun.size === 0) return null;
    const total = { ...ZERO_USAGE };
    for (const usage of this.usageByRun.values()) {
      total.inputTokens += usage.inputTokens;
      total.outputTokens += usage.outputTokens;
      total.cacheReadTokens += usage.cacheReadTokens;
      total.cacheWriteTokens += usage.cacheWriteTokens;
      total.costUsd += usage.costUsd;
    }
    return total;
  }

  get eventCount(): number {
    return this.rawRows.length;
  }

  private addEvent(runId: number, event: StoredLogEvent): void {
    // A replayed event (a reconnect that overlapped) would be a duplicate row.
    if (event.seq <= (this.lastSeq.get(runId) ?? 0)) return;
    this.lastSeq.set(runId, event.seq);
    const place = { key: `${runId}:${event.seq}`, order: this.order++, runId };
    this.rawRows.push({ ...place, event });
    if (event.kind === "usage") this.addUsage(runId, event.usage);
    if (event.kind === "tool_result") return this.applyResult(place, event);
    if (event.kind === "phase" || event.kind === "phase_output") return this.applyPhase(place, event);
    if (event.kind === "tool_call") {
      const row: ToolRow = { ...place, type: "tool", event, status: event.status };
      this.tools.set(`${runId}:${event.id}`, row);
      this.rows.push(row);
      return;
    }
    if (!HIDDEN_KINDS.has(event.kind)) this.rows.push({ ...place, type: "event", event });
  }

  private applyResult(place: Placed, event: Extract<StoredLogEvent, { kind: "tool_result" }>): void {
    const toolKey = `${place.runId}:${event.id}`;
    const call = this.tools.get(toolKey);
    if (!call) {
      // A result whose call is not in view (dropped, or never sent): shown on its own.
      this.rows.push({ ...place, type: "event", event });
      return;
    }
    // A new object in the same place, so that row re-renders (rows are compared by identity).
    const updated: ToolRow = { ...call, status: event.status, result: event };
    const index = this.rows.lastIndexOf(call);
    if (index !== -1) this.rows[index] = updated;
    this.tools.set(toolKey, updated);
  }

  private applyPhase(place: Placed, event: Extract<StoredLogEvent, { kind: "phase" | "phase_output" }>): void {
    const current = this.phases.get(place.runId);
    if (event.kind === "phase" && event.status === "running") {
      const row: PhaseRow = { ...place, type: "phase", event, output: [], lines: 0 };
      this.phases.set(place.runId, row);
      this.rows.push(row);
      return;
    }
    if (!current || current.event.phase !== event.phase) {
      // Its start is not in view: shown on its own.
      if (event.kind === "phase") this.rows.push({ ...place, type: "phase", event, output: [], lines: 0 });
      else this.rows.push({ ...place, type: "event", event });
      return;
    }
    // A new object in the same place re-renders the row; the lines array is shared, not copied.
    if (event.kind === "phase_output") current.output.push(event.line);
    const updated: PhaseRow = { ...current, event: event.kind === "phase" ? event : current.event, lines: current.output.length };
    const index = this.rows.lastIndexOf(current);
    if (index !== -1) this.rows[index] = updated;
    if (event.kind === "phase") this.phases.delete(place.runId);
    else this.phases.set(place.runId, updated);
  }

  private addUsage(runId: number, usage: UsageFigures): void {
    const sum = this.usageByRun.get(runId) ?? { ...ZERO_USAGE };
    this.usageByRun.set(runId, {
      inputTokens: sum.inputTokens + usage.inputTokens,
      outputTokens: sum.outputTokens + usage.outputTokens,
      cacheReadTokens: sum.cacheReadTokens + usage.cacheReadTokens,
      cacheWriteTokens: sum.cacheWriteTokens + usage.cacheWriteTokens,
      costUsd: sum.costUsd + usage.costUsd,
    });
  }

  /** Past the cap, the oldest tenth goes (in one splice, not one shift per event). */
  private trim(): void {
    if (this.rawRows.length <= this.maxEvents) return;
    const drop = this.rawRows.length - Math.floor(this.maxEvents * 0.9);
    const cutoff = this.rawRows[drop]!.order;
    this.rawRows.splice(0, drop);
    this.dropped += drop;
    const firstKept = this.rows.findIndex((row) => row.order >= cutoff);
    this.rows.splice(0, firstKept === -1 ? this.rows.length : firstKept);
    for (const [id, row] of this.tools) if (row.order < cutoff) this.tools.delete(id);
    for (const [id, row] of this.phases) if (row.order < cutoff) this.phases.delete(id);
  }

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

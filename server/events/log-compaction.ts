import "server-only";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import { settings } from "@/server/settings";

/**
 * Keeps the database from growing without bound: once a run ended more than N days ago
 * (AI_SLAVE_LOG_COMPACT_DAYS, default 14), its raw output goes and its normalized events stay.
 * `line` events (output that produced no event of its own) are deleted, and the `line` copy of
 * the output on the other events is removed. `raw` events are kept: for an unrecognized line or
 * stderr, the line is the event. SQLite reuses the freed pages, so the file stops growing.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** Seqs per statement: short write transactions, so live runs are never held up for long. */
const WINDOW = 2000;
/** Runs that ended before this time are compacted already; later passes skip them. */
const WATERMARK_KEY = "logCompaction.compactedThrough";
const DEFAULT_INTERVAL_MS = 6 * 60 * 60 * 1000;
const FIRST_PASS_DELAY_MS = 60_000;

export interface CompactionResult {
  runs: number;
  deletedLines: number;
  strippedEvents: number;
}

export function logCompactDays(): number {
  return config().logCompactDays;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function compactRun(runId: number, lastSeq: number): Promise<Omit<CompactionResult, "runs">> {
  let deletedLines = 0;
  let strippedEvents = 0;
  for (let from = 0; from < lastSeq; from += WINDOW) {
    deletedLines += await db().$executeRawUnsafe(
      `DELETE FROM "RunLog" WHERE "runId" = ? AND "seq" > ? AND "seq" <= ? AND "kind" = 'line'`,
      runId,
      from,
      from + WINDOW,
    );
    strippedEvents += await db().$executeRawUnsafe(
      `UPDATE "RunLog" SET "data" = json_remove("data", '$.line')
       WHERE "runId" = ? AND "seq" > ? AND "seq" <= ? AND "kind" <> 'raw' AND json_type("data", '$.line') IS NOT NULL`,
      runId,
      from,
      from + WINDOW,
    );
    await nextTick();
  }
  return { deletedLines, strippedEvents };
}

/** Compacts the logs of runs that ended before `now - days` and were not compacted yet. */
export async function compactRunLogs(options: { olderThanDays?: number; now?: Date } = {}): Promise<CompactionResult> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.olderThanDays ?? logCompactDays()) * DAY_MS);
  const through = await settings.logCompactedThrough();
  const runs = await db().run.findMany({
    where: { status: { not: "RUNNING" }, endedAt: { lt: cutoff, ...(through ? { gte: new Date(through) } : {}) } },
    select: { id: true, logSeq: true },
    orderBy: { endedAt: "asc" },
  });
  const result: CompactionResult = { runs: 0, deletedLines: 0, strippedEvents: 0 };
  for (const run of runs) {
    const done = await compactRun(run.id, run.logSeq);
    result.runs += 1;
    result.deletedLines += done.deletedLines;
    result.strippedEvents += done.strippedEvents;
  }
  if (!through || new Date(through) < cutoff) await settings.setLogCompactedThrough(cutoff.toISOString());
  return result;
}

/**
 * Runs compactRunLogs a minute after start and then every `intervalMs` (default 6 h), one pass
 * at a time. For the boot code; returns the function that stops it.
 */
export function scheduleLogCompaction(intervalMs = DEFAULT_INTERVAL_MS): () => void {
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const result = await compactRunLogs();
      if (result.runs > 0) console.log(`[logs] compacted ${result.runs} run log(s): ${result.deletedLines} raw lines deleted, ${result.strippedEvents} events stripped.`);
    } catch (error) {
      console.error("[logs] log compaction failed", error);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void pass(), Math.min(FIRST_PASS_DELAY_MS, intervalMs));
  const every = setInterval(() => void pass(), intervalMs);
  first.unref?.();
  every.unref?.();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

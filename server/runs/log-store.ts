import "server-only";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";
import { db } from "@/server/db/client";

/** The run log table, read and written with plain SQL: it is the hot path. */

const ROWS_PER_STATEMENT = 400;

export interface LogRow {
  seq: number;
  /** ISO time; raw reads get a Date back from the adapter (the column is a DATETIME). */
  ts: string | Date;
  kind: string;
  data: string;
}

export async function insertLogRows(runId: number, rows: LogRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const placeholders = chunk.map(() => "(?, ?, ?, ?, ?)").join(", ");
    const values = chunk.flatMap((row) => [runId, row.seq, row.ts, row.kind, row.data]);
    await db().$executeRawUnsafe(`INSERT INTO "RunLog" ("runId", "seq", "ts", "kind", "data") VALUES ${placeholders}`, ...values);
  }
}

/** Records how far a run's stored log got; plain SQL because it runs after every batch. */
export async function updateLogProgress(runId: number, progress: { seq: number; bytes: number; truncated: boolean }): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE "Run" SET "logSeq" = ?, "logBytes" = ?, "logTruncated" = ? WHERE "id" = ?`,
    progress.seq,
    progress.bytes,
    progress.truncated ? 1 : 0,
    runId,
  );
}

export function toStored(row: LogRow): StoredLogEvent {
  const event = JSON.parse(row.data) as LogEvent & { line?: string };
  const ts = row.ts instanceof Date ? row.ts.toISOString() : String(row.ts);
  return { ...event, seq: Number(row.seq), ts };
}

/** Events of a run after `afterSeq`, in order, at most `limit`. No transaction stays open. */
export async function readLog(runId: number, afterSeq: number, limit: number): Promise<StoredLogEvent[]> {
  const rows = await db().$queryRawUnsafe<LogRow[]>(
    `SELECT "seq", "ts", "kind", "data" FROM "RunLog" WHERE "runId" = ? AND "seq" > ? ORDER BY "seq" ASC LIMIT ?`,
    runId,
    afterSeq,
    limit,
  );
  return rows.map(toStored);
}

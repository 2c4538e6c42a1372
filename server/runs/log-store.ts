import "server-only";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";
import { db } from "@/server/db/client";

/** The run log table, read and written with plain SQL: it is the hot path. */

const ROWS_PER_STATEMENT = 400;

export interface LogRow {
  seq: number;
  ts: string;
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

export function toStored(row: LogRow): StoredLogEvent {
  const event = JSON.parse(row.data) as LogEvent & { line?: string };
  return { ...event, seq: Number(row.seq), ts: row.ts };
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

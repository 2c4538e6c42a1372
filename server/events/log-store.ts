import "server-only";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";
import { db } from "@/server/db/client";
import { directRead, tryLogTransaction } from "@/server/db/log-connection";

/** The run log table, read and written with plain SQL: it is the hot path. */

const ROWS_PER_STATEMENT = 1000;

export interface LogRow {
  seq: number;
  /** ISO time; raw reads get a Date back from the adapter (the column is a DATETIME). */
  ts: string | Date;
  kind: string;
  data: string;
}

/**
 * Inserts the rows of several runs in as few statements as possible. `skipStored` ignores rows
 * already stored (a retry after a partly applied batch); foreign-key failures still fail.
 */
export async function insertRunLogRows(batches: { runId: number; rows: LogRow[] }[], options: { skipStored?: boolean } = {}): Promise<void> {
  const verb = options.skipStored ? "INSERT OR IGNORE" : "INSERT";
  let tuples = "";
  let values: (string | Date)[] = [];
  let count = 0;
  const send = async () => {
    if (count > 0) await db().$executeRawUnsafe(`${verb} INTO "RunLog" ("runId", "seq", "ts", "kind", "data") VALUES ${tuples}`, ...values);
    tuples = "";
    values = [];
    count = 0;
  };
  for (const { runId, rows } of batches) {
    for (const row of rows) {
      // Prisma serializes every parameter to JSON and back: the integers go into the SQL text instead.
      tuples += `${count === 0 ? "" : ", "}(${int(runId)}, ${int(row.seq)}, ?, ?, ?)`;
      values.push(row.ts, row.kind, row.data);
      count += 1;
      if (count === ROWS_PER_STATEMENT) await send();
    }
  }
  await send();
}

function int(value: number): number {
  if (!Number.isSafeInteger(value)) throw new Error(`Not an integer: ${value}`);
  return value;
}

/**
 * Stores the rows of several runs and their progress in one transaction, through one prepared
 * INSERT bound row by row on the log connection (server/db/log-connection.ts). When that
 * connection finds the database busy, the same goes through Prisma (insertRunLogRows, then
 * updateRunsLogProgress), which waits for the lock.
 */
export async function storeRunLogBatches(batches: { runId: number; rows: LogRow[]; progress: LogProgress }[], options: { skipStored?: boolean } = {}): Promise<void> {
  const verb = options.skipStored ? "INSERT OR IGNORE" : "INSERT";
  const stored = tryLogTransaction(({ statement }) => {
    const insert = statement(`${verb} INTO "RunLog" ("runId", "seq", "ts", "kind", "data") VALUES (?, ?, ?, ?, ?)`);
    const progress = statement(`UPDATE "Run" SET "logSeq" = ?, "logBytes" = ?, "logTruncated" = ? WHERE "id" = ?`);
    for (const { runId, rows, progress: done } of batches) {
      for (const row of rows) insert.run(runId, row.seq, typeof row.ts === "string" ? row.ts : row.ts.toISOString(), row.kind, row.data);
      progress.run(done.seq, done.bytes, done.truncated ? 1 : 0, done.runId);
    }
    return true;
  });
  if (stored) return;
  await insertRunLogRows(batches, options);
  await updateRunsLogProgress(batches.map((batch) => batch.progress));
}

export interface LogProgress {
  runId: number;
  seq: number;
  bytes: number;
  truncated: boolean;
}

/** Records how far runs' stored logs got, in one statement (only integers, written into the SQL). */
export async function updateRunsLogProgress(list: LogProgress[]): Promise<void> {
  if (list.length === 0) return;
  const cases = (value: (entry: LogProgress) => number) => `CASE "id" ${list.map((entry) => `WHEN ${int(entry.runId)} THEN ${int(value(entry))}`).join(" ")} END`;
  await db().$executeRawUnsafe(
    `UPDATE "Run" SET "logSeq" = ${cases((entry) => entry.seq)}, "logBytes" = ${cases((entry) => entry.bytes)}, "logTruncated" = ${cases((entry) => (entry.truncated ? 1 : 0))} WHERE "id" IN (${list.map((entry) => int(entry.runId)).join(", ")})`,
  );
}

/**
 * A stored event's JSON (`{...event, seq, ts}`, the text JSON.stringify gives) spliced from its
 * stored `data`, so the hot path never serializes an event twice.
 */
export function storedEventJson(data: string, seq: number, ts: string): string {
  return `${data.slice(0, -1)},"seq":${seq},"ts":"${ts}"}`;
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

/** The last `count` events of a run, in order (what a short status report shows). */
export async function readLogTail(runId: number, count: number): Promise<StoredLogEvent[]> {
  const rows = await db().$queryRawUnsafe<LogRow[]>(`SELECT "seq", "ts", "kind", "data" FROM "RunLog" WHERE "runId" = ? ORDER BY "seq" DESC LIMIT ?`, runId, count);
  return rows.reverse().map(toStored);
}

/**
 * Like readLog, as JSON text per event (what an SSE client and a log page get), without parsing
 * the rows: read on the log connection (log-connection.ts), each event spliced from its stored data.
 */
export async function readLogJson(runId: number, afterSeq: number, limit: number): Promise<{ seq: number; json: string }[]> {
  const rows = directRead<{ seq: number; ts: string; data: string }>(
    `SELECT "seq", CAST("ts" AS TEXT) AS "ts", "data" FROM "RunLog" WHERE "runId" = ? AND "seq" > ? ORDER BY "seq" ASC LIMIT ?`,
    runId,
    afterSeq,
    limit,
  );
  return rows.map((row) => ({ seq: Number(row.seq), json: storedEventJson(row.data, Number(row.seq), isoTime(row.ts)) }));
}

/** Stored times are ISO strings (the writer's) or Prisma's "+00:00" form: both become ISO with Z. */
function isoTime(text: string): string {
  return text.endsWith("Z") && text.length === 24 ? text : new Date(text).toISOString();
}

/**
 * What a finished run's log says, for its verification (server/runs/verification.ts): the tool
 * calls the CLI denied ("name: summary", in log order; a denied result whose call is unknown gives
 * the start of its output), and the final answer (the assistant text after the last tool call or
 * result). SQLite picks the few events out (json_extract, on the log connection), so a run of
 * 200,000 lines is not parsed in JavaScript on the server's thread to find them.
 */
export function runLogSummary(runId: number): { denied: string[]; finalText: string } {
  const TOOL = `"kind" IN ('tool_call', 'tool_result')`;
  const lastTool = directRead<{ seq: number | null }>(`SELECT MAX("seq") AS "seq" FROM "RunLog" WHERE "runId" = ? AND ${TOOL}`, runId)[0]?.seq ?? 0;
  const finalText = directRead<{ data: string }>(`SELECT "data" FROM "RunLog" WHERE "runId" = ? AND "kind" = 'assistant' AND "seq" > ? ORDER BY "seq" ASC`, runId, lastTool)
    .map((row) => (JSON.parse(row.data) as { text: string }).text)
    .join("\n");
  const deniedRows = directRead<{ seq: number; data: string }>(
    `SELECT "seq", "data" FROM "RunLog" WHERE "runId" = ? AND ${TOOL} AND json_extract("data", '$.status') = 'denied' ORDER BY "seq" ASC`,
    runId,
  );
  const described = (call: { name: string; summary: string }) => `${call.name}: ${call.summary}`;
  const denied: string[] = [];
  for (const row of deniedRows) {
    const event = JSON.parse(row.data) as LogEvent;
    if (event.kind === "tool_call") denied.push(described(event));
    else if (event.kind === "tool_result") {
      const call = directRead<{ data: string }>(
        `SELECT "data" FROM "RunLog" WHERE "runId" = ? AND "kind" = 'tool_call' AND "seq" < ? AND json_extract("data", '$.id') = ? ORDER BY "seq" DESC LIMIT 1`,
        runId,
        row.seq,
        event.id,
      )[0];
      const text = call ? described(JSON.parse(call.data) as { name: string; summary: string }) : undefined;
      if (!denied.includes(text ?? "")) denied.push(text ?? event.output.slice(0, 300));
    }
  }
  return { denied, finalText };
}

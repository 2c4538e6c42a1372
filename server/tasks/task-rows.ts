import "server-only";
import { directRead } from "@/server/db/log-connection";
import type { Task } from "@/server/db/generated/client";

/**
 * Task rows read without Prisma, for the hot list reads (a board page: 51 rows of 45 columns).
 * Prisma's conversion of such a page cost 4 to 6 ms of a request's 13 to 20 (bench/README.md);
 * better-sqlite3 reads it in well under 1 ms. Prisma still builds the page's query (its filters
 * and order, shared with the counts) and returns only the ids.
 *
 * Columns come as SQLite holds them: dates as text, booleans as 0/1. Converted here to what
 * Prisma returns; tests/integration/api/task-rows.test.ts compares the two on every column, so a
 * date or boolean column added to Task and not named below fails there.
 */
const DATE_COLUMNS = ["notBefore", "queuedAt", "createdAt", "updatedAt", "startedAt", "finishedAt", "mergedAt"] as const;
const BOOLEAN_COLUMNS = ["setupDone"] as const;

/**
 * A stored date: Prisma's ISO text (`...+00:00`), SQLite's CURRENT_TIMESTAMP text (UTC, no zone:
 * read as UTC, not as local time), or milliseconds since the epoch.
 */
export function storedDate(value: unknown): Date {
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

/** Converts a `SELECT *` row of Task in place. */
export function taskFromRow(row: Record<string, unknown>): Task {
  for (const column of DATE_COLUMNS) if (row[column] !== null && row[column] !== undefined) row[column] = storedDate(row[column]);
  for (const column of BOOLEAN_COLUMNS) row[column] = row[column] === 1 || row[column] === true;
  return row as unknown as Task;
}

/** The tasks with these ids, in the order of `ids` (an id gone since is left out). */
export function tasksByIds(ids: readonly number[]): Task[] {
  if (ids.length === 0) return [];
  const rows = directRead<Record<string, unknown>>(`SELECT * FROM "Task" WHERE "id" IN (SELECT "value" FROM json_each(?))`, JSON.stringify(ids));
  const byId = new Map(rows.map((row) => [Number(row.id), taskFromRow(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

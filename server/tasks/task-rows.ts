import "server-only";
import { directReadValues } from "@/server/db/log-connection";
import type { Task } from "@/server/db/generated/client";

/*
 * Task rows read without Prisma, for the hot list reads (a board page: 51 rows of 45 columns).
 * Prisma's client took about 3.5 ms of a page request's 14.8 ms of CPU (a profile of 1,000 page
 * requests, bench/README.md); here the rows are read as arrays (one JSON text per read, BY_IDS)
 * into objects of one shape. The page's ids come from the SQL server/tasks/list.ts writes.
 *
 * Columns come as SQLite holds them: dates as text, booleans as 0/1. Converted here to what
 * Prisma returns, except the dates, which stay ISO text (TaskRow): what the answers carry, without
 * a Date made and formatted back per date (1,085 of them on a board's first screen: about 0.8 ms
 * of a board request in a profile, through Next's wrapped Date).
 * tests/integration/api/task-rows.test.ts compares the two on every column, so a column added to
 * Task and not named below fails there.
 */

/** Every column of Task, in one order: the SELECT's and the row object's. */
const TASK_COLUMNS = [
  "id", "workspaceId", "poolId", "number", "title", "prompt", "backend", "model", "permissionMode", "status", "failureReason", "waitingReason",
  "notBefore", "branch", "worktreePath", "promptHistory", "nextRunKind", "queuedAt", "currentRunId", "reviewBackend", "reviewModel", "checkState",
  "reviewState", "reviewedBy", "setupDone", "pendingPrompt", "pendingCause", "permissionDenials", "createdAt", "updatedAt", "startedAt",
  "finishedAt", "mergedAt", "parentTaskId", "mcpTokenHash", "dependsOn", "dependencyMode", "changedFiles", "pullRequestUrl", "pullRequestNumber",
  "pullRequestState", "accountId", "fallbackBackend", "gpus", "gpuIndices",
] as const satisfies readonly (keyof Task)[];
const DATE_NAMES = ["notBefore", "queuedAt", "createdAt", "updatedAt", "startedAt", "finishedAt", "mergedAt"] as const satisfies readonly (keyof Task)[];
const DATE_COLUMNS = new Set<string>(DATE_NAMES);
type DateColumn = (typeof DATE_NAMES)[number];

/** A task as read here: Task with its dates as ISO text (`Date.prototype.toISOString`'s form). */
export type TaskRow = Omit<Task, DateColumn> & { [K in DateColumn]: null extends Task[K] ? string | null : string };
const BOOLEAN_COLUMNS = new Set<string>(["setupDone"] satisfies (keyof Task)[]);
/**
 * The rows as one JSON array of arrays, parsed once: half the time of better-sqlite3 handing over
 * each of a board's 7,000 values (0.6 against 1.2 ms for 155 rows).
 */
const BY_IDS = `SELECT json_group_array(json_array(${TASK_COLUMNS.map((column) => `"${column}"`).join(", ")})) FROM "Task" WHERE "id" IN (SELECT "value" FROM json_each(?))`;
/** Each row starts as a copy of this: every row object then has the same shape, built fast. */
const BLANK: Record<string, unknown> = Object.fromEntries(TASK_COLUMNS.map((column) => [column, null]));

/**
 * A stored date: Prisma's ISO text (`...+00:00`), SQLite's CURRENT_TIMESTAMP text (UTC, no zone:
 * read as UTC, not as local time), or milliseconds since the epoch.
 */
export function storedDate(value: unknown): Date {
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

/** Prisma's stored form of a date, UTC to the millisecond: its ISO text is the first 23 characters and Z. */
const PRISMA_DATE_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

/** A stored date (any form storedDate reads) as ISO text, the usual form without making a Date. */
export function storedIso(value: unknown): string {
  if (typeof value === "string" && PRISMA_DATE_TEXT.test(value)) return `${value.slice(0, 23)}Z`;
  return storedDate(value).toISOString();
}

/** A row's values (TASK_COLUMNS' order) as the Task Prisma would return, its dates as ISO text. */
function taskFromValues(values: unknown[]): TaskRow {
  const row = { ...BLANK };
  for (let index = 0; index < TASK_COLUMNS.length; index += 1) {
    const column = TASK_COLUMNS[index]!;
    const value = values[index] ?? null;
    row[column] = value === null ? null : DATE_COLUMNS.has(column) ? storedIso(value) : BOOLEAN_COLUMNS.has(column) ? value === 1 || value === true : value;
  }
  return row as unknown as TaskRow;
}

/** The tasks with these ids, by id (an id gone since is missing). */
export function taskRowsById(ids: readonly number[]): Map<number, TaskRow> {
  if (ids.length === 0) return new Map();
  const rows = JSON.parse(String(directReadValues(BY_IDS, JSON.stringify(ids))[0]![0])) as unknown[][];
  return new Map(rows.map((values) => [Number(values[0]), taskFromValues(values)]));
}

/** The tasks with these ids, in the order of `ids` (an id gone since is left out). */
export function tasksByIds(ids: readonly number[]): TaskRow[] {
  const byId = taskRowsById(ids);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

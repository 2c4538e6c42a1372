import "server-only";
import { TASK_STATUSES, type TaskStatus } from "@/lib/enums";
import { badRequest } from "@/lib/errors";
import { COLUMN_SORT, type TaskBoard, type TaskBoardQuery, type TaskCounts, type TaskCountsQuery, type TaskDto, type TaskListQuery, type TaskSort } from "@/lib/schemas/task";
import { directRead, directReadValues } from "@/server/db/log-connection";
import { sqlDate } from "@/server/db/sql-date";
import { toTaskDto } from "@/server/db/serialize";
import { mergeQueueByTask } from "@/server/merge-queue/store";
import { overlapsByTask } from "./overlaps";
import { taskRowsById, type TaskRow } from "./task-rows";
import { usageByTask } from "./usage";

/** A piece of SQL and its arguments, in order. */
interface Sql {
  text: string;
  args: unknown[];
}

/**
 * A workspace's tasks, and the tasks of its pools not placed yet: a member's board shows what
 * the pool may still give it. The pools are looked up first, so a workspace in no pool keeps
 * the plain indexed condition.
 */
function workspaceSql(workspaceId: number): Sql {
  const pools = directRead<{ poolId: number }>(`SELECT "poolId" FROM "PoolMember" WHERE "workspaceId" = ?`, workspaceId).map((row) => row.poolId);
  if (pools.length === 0) return { text: `"workspaceId" = ?`, args: [workspaceId] };
  return { text: `("workspaceId" = ? OR ("workspaceId" IS NULL AND "poolId" IN (SELECT "value" FROM json_each(?))))`, args: [workspaceId, JSON.stringify(pools)] };
}

/** `text` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * The filters a list and the board's counts share: workspace, backend, review filter, text. Read
 * without Prisma (the direct connection, server/db/log-connection.ts): a board's first screen is
 * six statements, and through Prisma's client each cost about as much again as SQLite's work.
 */
export function filterSql(query: TaskCountsQuery): Sql[] {
  const and: Sql[] = [];
  if (query.workspaceId) and.push(workspaceSql(query.workspaceId));
  if (query.backend) and.push({ text: `"backend" = ?`, args: [query.backend] });
  // The meaning of lib/review-status.ts's matchesReviewFilter, as a query.
  if (query.review === "needs-review") and.push({ text: `"status" = 'DONE' AND "mergedAt" IS NULL AND "reviewState" <> 'APPROVED'`, args: [] });
  if (query.review === "approved") and.push({ text: `"reviewState" = 'APPROVED' AND "mergedAt" IS NULL`, args: [] });
  if (query.review === "checks-failing") and.push({ text: `"checkState" = 'FAILED'`, args: [] });
  if (query.q) {
    // SQLite's LIKE ignores ASCII case, as the board's filter always did.
    const pattern = containsPattern(query.q);
    const text = [`"title" LIKE ? ESCAPE '\\'`, `"prompt" LIKE ? ESCAPE '\\'`, `"model" LIKE ? ESCAPE '\\'`];
    const args: unknown[] = [pattern, pattern, pattern];
    const number = /^#?(\d{1,9})$/.exec(query.q);
    if (number) {
      text.push(`"number" = ?`);
      args.push(Number(number[1]));
    }
    and.push({ text: `(${text.join(" OR ")})`, args });
  }
  return and;
}

/** The conditions joined by AND, as a WHERE clause ("" without any). */
function where(and: readonly Sql[]): Sql {
  return and.length === 0 ? { text: "", args: [] } : { text: `WHERE ${and.map((part) => part.text).join(" AND ")}`, args: and.flatMap((part) => part.args) };
}

type KeyField = "queuedAt" | "startedAt" | "finishedAt";
/** Each order but `newest`: its date column and direction, ties broken by id the same way. */
const ORDERS: Record<Exclude<TaskSort, "newest">, { field: KeyField; dir: "ASC" | "DESC" }> = {
  queue: { field: "queuedAt", dir: "ASC" },
  started: { field: "startedAt", dir: "ASC" },
  finished: { field: "finishedAt", dir: "DESC" },
};

/** `<ms>_<id>` or `n_<id>` (the date is null: those rows come last). */
function parseKeyCursor(cursor: string): { at: Date | null; id: number } {
  const match = /^(\d{1,15}|n)_(\d{1,15})$/.exec(cursor);
  if (!match) throw badRequest("validation", "Invalid query: cursor: Not a cursor of this order (give the nextCursor of the previous page).");
  return { at: match[1] === "n" ? null : new Date(Number(match[1])), id: Number(match[2]) };
}

/**
 * The rows after the cursor in (date dir, id dir) order with nulls last. Dates compare as the
 * text Prisma stores (sqlDate), which orders as the instants do.
 */
function afterKey(field: KeyField, dir: "ASC" | "DESC", cursor: { at: Date | null; id: number }): Sql {
  const op = dir === "ASC" ? ">" : "<";
  if (cursor.at === null) return { text: `"${field}" IS NULL AND "id" ${op} ?`, args: [cursor.id] };
  const at = sqlDate(cursor.at);
  const after = [`"${field}" ${op} ?`, `("${field}" = ? AND "id" ${op} ?)`];
  if (field !== "queuedAt") after.push(`"${field}" IS NULL`);
  return { text: `(${after.join(" OR ")})`, args: [at, at, cursor.id] };
}

export type TaskListInput = Omit<TaskListQuery, "sort" | "backend" | "review"> & Partial<Pick<TaskListQuery, "sort" | "backend" | "review">>;

/** The statement of a page's ids: its filters, its order, one row more than the page (is there a next?). */
export function pageSql(query: TaskListInput, filters?: Sql[]): Sql {
  const sort = query.sort ?? "newest";
  const and = filters ? [...filters] : filterSql(query);
  if (query.parentTaskId) and.push({ text: `"parentTaskId" = ?`, args: [query.parentTaskId] });
  if (query.status) and.push({ text: `"status" = ?`, args: [query.status] });
  if (query.checkState) and.push({ text: `"checkState" = ?`, args: [query.checkState] });
  if (query.reviewState) and.push({ text: `"reviewState" = ?`, args: [query.reviewState] });
  let orderBy: string;
  if (sort === "newest") {
    if (query.cursor && !/^\d+$/.test(query.cursor)) throw badRequest("validation", "Invalid query: cursor: Not a cursor of this order (give the nextCursor of the previous page).");
    if (query.cursor) and.push({ text: `"id" < ?`, args: [Number(query.cursor)] });
    orderBy = `"id" DESC`;
  } else {
    const { field, dir } = ORDERS[sort];
    if (query.cursor) and.push(afterKey(field, dir, parseKeyCursor(query.cursor)));
    // Nulls last. SQLite orders NULL below every date, so a descending order has them last
    // already, and queuedAt is never null: only `started` needs them moved, and it is the one
    // order that sorts (SQLite walks the (workspaceId, status, date) indexes for the others).
    orderBy = field === "startedAt" ? `"startedAt" IS NULL, "startedAt" ASC, "id" ASC` : `"${field}" ${dir}, "id" ${dir}`;
  }
  const filter = where(and);
  return { text: `SELECT "id" FROM "Task" ${filter.text} ORDER BY ${orderBy} LIMIT ?`, args: [...filter.args, query.limit + 1] };
}

/** A page of tasks in one of the orders of TASK_SORTS, with a cursor for the next. */
export async function listTasks(query: TaskListInput): Promise<{ items: TaskDto[]; nextCursor: string | null }> {
  const ids = pageIds(query);
  const { page, nextCursor } = pageOf(query, ids, taskRowsById(ids));
  return { items: await taskDtos(page), nextCursor };
}

/** The ids of a page and of the row after it (is there a next page?). */
function pageIds(query: TaskListInput, filters?: Sql[]): number[] {
  const sql = pageSql(query, filters);
  return directReadValues(sql.text, ...sql.args).map((values) => Number(values[0]));
}

/** A page's rows (`ids` from pageIds; a task deleted since is left out) and the next page's cursor. */
function pageOf(query: TaskListInput, ids: readonly number[], rows: ReadonlyMap<number, TaskRow>): { page: TaskRow[]; nextCursor: string | null } {
  const found = ids.flatMap((id) => rows.get(id) ?? []);
  const page = found.slice(0, query.limit);
  const last = page[page.length - 1];
  return { page, nextCursor: found.length > query.limit && last ? cursorOf(query.sort ?? "newest", last) : null };
}

/** The answers for rows: their usage, merge-queue places and overlaps read once for all of them. */
async function taskDtos(rows: TaskRow[]): Promise<TaskDto[]> {
  const ids = rows.map((row) => row.id);
  const [usage, queue, overlaps] = await Promise.all([usageByTask(ids), mergeQueueByTask(ids), overlapsByTask(rows)]);
  return rows.map((row) => toTaskDto(row, { usage: usage.get(row.id), mergeQueue: queue.get(row.id), overlaps: overlaps.get(row.id) }));
}

function cursorOf(sort: TaskSort, row: TaskRow): string {
  if (sort === "newest") return String(row.id);
  const at = row[ORDERS[sort].field];
  return `${at ? Date.parse(at) : "n"}_${row.id}`;
}

/** How many tasks match the filters, per status: the board's column counts. */
export async function countTasks(query: TaskCountsQuery, filters?: Sql[]): Promise<TaskCounts> {
  // A count per status, each walking its own range of a (workspaceId, status, ...) index: half the
  // time of one GROUP BY over the workspace's rows (0.7 against 1.4 ms for 10,000 tasks).
  const and = filters ?? filterSql(query);
  const count = (status: TaskStatus) => {
    const filter = where([...and, { text: `"status" = ?`, args: [status] }]);
    return Number(directReadValues(`SELECT COUNT(*) FROM "Task" ${filter.text}`, ...filter.args)[0]![0]);
  };
  const counts = Object.fromEntries(TASK_STATUSES.map((status) => [status, count(status)])) as Record<TaskStatus, number>;
  return { counts, total: Object.values(counts).reduce((sum, value) => sum + value, 0) };
}

/**
 * The board's first screen in one answer: the counts and each column's first page, the filters
 * worked out once. Five requests cost five times the server's floor per request (bench/README.md).
 */
export async function boardTasks(query: TaskBoardQuery): Promise<TaskBoard> {
  const filters = filterSql(query);
  const counts = await countTasks(query, filters);
  const queries = TASK_STATUSES.map((status) => ({ ...query, status, sort: COLUMN_SORT[status] }));
  const ids = queries.map((column) => pageIds(column, filters));
  // The four pages' rows in one read.
  const rows = taskRowsById(ids.flat());
  const pages = queries.map((column, index) => pageOf(column, ids[index]!, rows));
  // The four pages' answers in one go: one merge-queue read and one usage read, not four each.
  const answers = new Map((await taskDtos(pages.flatMap((page) => page.page))).map((task) => [task.id, task]));
  const columns = TASK_STATUSES.map((status, index) => {
    const { page, nextCursor } = pages[index]!;
    return [status, { items: page.map((row) => answers.get(row.id)!), nextCursor }] as const;
  });
  return { ...counts, columns: Object.fromEntries(columns) as TaskBoard["columns"] };
}

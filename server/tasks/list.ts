import "server-only";
import { TASK_STATUSES, type TaskStatus } from "@/lib/enums";
import { badRequest } from "@/lib/errors";
import { COLUMN_SORT, type TaskBoard, type TaskBoardQuery, type TaskCounts, type TaskCountsQuery, type TaskDto, type TaskListQuery, type TaskSort } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import type { Prisma, Task } from "@/server/db/generated/client";
import { toTaskDto } from "@/server/db/serialize";
import { mergeQueueByTask } from "@/server/merge-queue/store";
import { overlapsByTask } from "./overlaps";
import { tasksByIds } from "./task-rows";
import { usageByTask } from "./usage";

/**
 * A workspace's tasks, and the tasks of its pools not placed yet: a member's board shows what
 * the pool may still give it. The pools are looked up first, so a workspace in no pool keeps
 * the plain indexed query.
 */
async function workspaceWhere(workspaceId: number): Promise<Prisma.TaskWhereInput> {
  const pools = await db().poolMember.findMany({ where: { workspaceId }, select: { poolId: true } });
  if (pools.length === 0) return { workspaceId };
  return { OR: [{ workspaceId }, { workspaceId: null, poolId: { in: pools.map((pool) => pool.poolId) } }] };
}

/** The filters a list and the board's counts share: workspace, backend, review filter, text. */
export async function filterWhere(query: TaskCountsQuery): Promise<Prisma.TaskWhereInput[]> {
  const and: Prisma.TaskWhereInput[] = [];
  if (query.workspaceId) and.push(await workspaceWhere(query.workspaceId));
  if (query.backend) and.push({ backend: query.backend });
  // The meaning of lib/review-status.ts's matchesReviewFilter, as a query.
  if (query.review === "needs-review") and.push({ status: "DONE", mergedAt: null, reviewState: { not: "APPROVED" } });
  if (query.review === "approved") and.push({ reviewState: "APPROVED", mergedAt: null });
  if (query.review === "checks-failing") and.push({ checkState: "FAILED" });
  if (query.q) {
    // SQLite's LIKE (Prisma's contains) ignores ASCII case, as the board's filter always did.
    const text: Prisma.TaskWhereInput[] = [{ title: { contains: query.q } }, { prompt: { contains: query.q } }, { model: { contains: query.q } }];
    const number = /^#?(\d{1,9})$/.exec(query.q);
    if (number) text.push({ number: Number(number[1]) });
    and.push({ OR: text });
  }
  return and;
}

type KeyField = "queuedAt" | "startedAt" | "finishedAt";
/** Each order but `newest`: its date column and direction, ties broken by id the same way. */
const ORDERS: Record<Exclude<TaskSort, "newest">, { field: KeyField; dir: "asc" | "desc" }> = {
  queue: { field: "queuedAt", dir: "asc" },
  started: { field: "startedAt", dir: "asc" },
  finished: { field: "finishedAt", dir: "desc" },
};

/** `<ms>_<id>` or `n_<id>` (the date is null: those rows come last). */
function parseKeyCursor(cursor: string): { at: Date | null; id: number } {
  const match = /^(\d{1,15}|n)_(\d{1,15})$/.exec(cursor);
  if (!match) throw badRequest("validation", "Invalid query: cursor: Not a cursor of this order (give the nextCursor of the previous page).");
  return { at: match[1] === "n" ? null : new Date(Number(match[1])), id: Number(match[2]) };
}

/** The rows after the cursor in (date dir, id dir) order with nulls last. */
function afterKey(field: KeyField, dir: "asc" | "desc", cursor: { at: Date | null; id: number }): Prisma.TaskWhereInput {
  const idAfter = dir === "asc" ? { gt: cursor.id } : { lt: cursor.id };
  if (cursor.at === null) return { [field]: null, id: idAfter };
  const dateAfter = dir === "asc" ? { gt: cursor.at } : { lt: cursor.at };
  const after: Prisma.TaskWhereInput[] = [{ [field]: dateAfter }, { [field]: cursor.at, id: idAfter }];
  if (field !== "queuedAt") after.push({ [field]: null });
  return { OR: after };
}

export type TaskListInput = Omit<TaskListQuery, "sort" | "backend" | "review"> & Partial<Pick<TaskListQuery, "sort" | "backend" | "review">>;

/** The query of a page: its filters, its order, one row more than the page (is there a next?). */
export async function listQuery(query: TaskListInput, filters?: Prisma.TaskWhereInput[]): Promise<Prisma.TaskFindManyArgs & { take: number; orderBy: Prisma.TaskOrderByWithRelationInput[] }> {
  const sort = query.sort ?? "newest";
  const and = filters ? [...filters] : await filterWhere(query);
  if (query.parentTaskId) and.push({ parentTaskId: query.parentTaskId });
  if (query.status) and.push({ status: query.status });
  if (query.checkState) and.push({ checkState: query.checkState });
  if (query.reviewState) and.push({ reviewState: query.reviewState });
  let orderBy: Prisma.TaskOrderByWithRelationInput[];
  if (sort === "newest") {
    if (query.cursor && !/^\d+$/.test(query.cursor)) throw badRequest("validation", "Invalid query: cursor: Not a cursor of this order (give the nextCursor of the previous page).");
    if (query.cursor) and.push({ id: { lt: Number(query.cursor) } });
    orderBy = [{ id: "desc" }];
  } else {
    const { field, dir } = ORDERS[sort];
    if (query.cursor) and.push(afterKey(field, dir, parseKeyCursor(query.cursor)));
    // Nulls last. SQLite orders NULL below every date, so a descending order has them last already:
    // it is asked for plainly, since Prisma writes `nulls: "last"` as a CASE before the column, which
    // keeps SQLite from walking the (workspaceId, status, finishedAt) index and makes it sort every
    // row of the column (Done's first page of 1,200: 4 to 9 ms of SQL, against under 1 ms).
    orderBy = [dir === "desc" || field === "queuedAt" ? { [field]: dir } : { [field]: { sort: dir, nulls: "last" } }, { id: dir }];
  }
  return { where: and.length ? { AND: and } : {}, orderBy, take: query.limit + 1 };
}

/** A page of tasks in one of the orders of TASK_SORTS, with a cursor for the next. */
export async function listTasks(query: TaskListInput): Promise<{ items: TaskDto[]; nextCursor: string | null }> {
  const { page, nextCursor } = await pageRows(query);
  return { items: await taskDtos(page), nextCursor };
}

/** A page's rows and the cursor of the next page. */
async function pageRows(query: TaskListInput, filters?: Prisma.TaskWhereInput[]): Promise<{ page: Task[]; nextCursor: string | null }> {
  const sort = query.sort ?? "newest";
  // Prisma finds the page (its filters and order), better-sqlite3 reads its rows (task-rows.ts).
  const rows = tasksByIds((await db().task.findMany({ ...(await listQuery(query, filters)), select: { id: true } })).map((row) => row.id));
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > query.limit && last ? cursorOf(sort, last) : null };
}

/** The answers for rows: their usage, merge-queue places and overlaps read once for all of them. */
async function taskDtos(rows: Task[]): Promise<TaskDto[]> {
  const ids = rows.map((row) => row.id);
  const [usage, queue, overlaps] = await Promise.all([usageByTask(ids), mergeQueueByTask(ids), overlapsByTask(rows)]);
  return rows.map((row) => toTaskDto(row, { usage: usage.get(row.id), mergeQueue: queue.get(row.id), overlaps: overlaps.get(row.id) }));
}

function cursorOf(sort: TaskSort, row: Task): string {
  if (sort === "newest") return String(row.id);
  const at = row[ORDERS[sort].field];
  return `${at ? at.getTime() : "n"}_${row.id}`;
}

/** How many tasks match the filters, per status: the board's column counts. */
export async function countTasks(query: TaskCountsQuery, filters?: Prisma.TaskWhereInput[]): Promise<TaskCounts> {
  const and = filters ?? (await filterWhere(query));
  const groups = await db().task.groupBy({ by: ["status"], where: and.length ? { AND: and } : {}, _count: { _all: true } });
  const counts = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const group of groups) if (group.status in counts) counts[group.status as TaskStatus] = group._count._all;
  return { counts, total: Object.values(counts).reduce((sum, value) => sum + value, 0) };
}

/**
 * The board's first screen in one answer: the counts and each column's first page, the filters
 * worked out once. Five requests cost five times the server's floor per request (bench/README.md).
 */
export async function boardTasks(query: TaskBoardQuery): Promise<TaskBoard> {
  const filters = await filterWhere(query);
  const [counts, ...pages] = await Promise.all([
    countTasks(query, filters),
    ...TASK_STATUSES.map((status) => pageRows({ ...query, status, sort: COLUMN_SORT[status] }, filters)),
  ]);
  // The four pages' answers in one go: one merge-queue read and one usage read, not four each.
  const answers = new Map((await taskDtos(pages.flatMap((page) => page.page))).map((task) => [task.id, task]));
  const columns = TASK_STATUSES.map((status, index) => {
    const { page, nextCursor } = pages[index]!;
    return [status, { items: page.map((row) => answers.get(row.id)!), nextCursor }] as const;
  });
  return { ...counts, columns: Object.fromEntries(columns) as TaskBoard["columns"] };
}

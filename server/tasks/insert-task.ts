import "server-only";
import { tryLogTransaction } from "@/server/db/log-connection";
import { sqlDate } from "@/server/db/sql-date";
import { NEXT_NUMBER_SQL } from "./target";
import { tasksByIds, type TaskRow } from "./task-rows";

/*
 * A new task written without Prisma: its number, its row and its branch in one transaction on the
 * direct connection (server/db/log-connection.ts). Through Prisma those three statements took
 * about 3 ms of the server's thread per POST, most of it in Prisma's client (bench/README.md,
 * "Creating a task, and what a POST waits for under load"). The row then reads back through
 * task-rows.ts.
 *
 * The columns Prisma's create would fill from the schema's defaults are written here with the same
 * values; tests/integration/api/task-rows.test.ts compares a task made here with one made by Prisma.
 */

/** What a new task is given; every other column takes the schema's default. */
export interface NewTask {
  workspaceId: number | null;
  poolId: number | null;
  title: string;
  prompt: string;
  backend: string;
  model: string;
  permissionMode: string;
  promptHistory: string;
  queuedAt: Date;
  parentTaskId: number | null;
  dependsOn: string;
  dependencyMode: string;
  fallbackBackend: string | null;
  gpus: number;
  reviewBackend: string | null;
  reviewModel: string | null;
}

const COLUMNS = [
  "workspaceId", "poolId", "number", "title", "prompt", "backend", "model", "permissionMode", "status", "promptHistory", "nextRunKind", "queuedAt",
  "reviewBackend", "reviewModel", "checkState", "reviewState", "setupDone", "permissionDenials", "createdAt", "updatedAt", "parentTaskId",
  "dependsOn", "dependencyMode", "changedFiles", "fallbackBackend", "gpus",
] as const;
const INSERT = `INSERT INTO "Task" (${COLUMNS.map((column) => `"${column}"`).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")}) RETURNING "id"`;
const BRANCH = `UPDATE "Task" SET "branch" = 'task-' || "id" WHERE "id" = ?`;

/**
 * Inserts the task, numbered in `numberedIn`, and names its branch `task-<id>`. Null when the
 * database is busy (another writer holds the lock; nothing was written): the caller takes Prisma's
 * path, which waits for it.
 */
export function insertTaskDirect(task: NewTask, numberedIn: number[]): TaskRow | null {
  const id = tryLogTransaction(({ statement }) => {
    const ids = JSON.stringify(numberedIn);
    const numbered = statement(NEXT_NUMBER_SQL).get(ids, ids) as { number: number } | undefined;
    if (!numbered) throw new Error(`No workspace ${numberedIn.join(", ")} to number the task in.`);
    const at = sqlDate(task.queuedAt);
    const values: Record<(typeof COLUMNS)[number], unknown> = {
      ...task,
      number: numbered.number,
      status: "TODO",
      nextRunKind: "initial",
      queuedAt: at,
      checkState: "NONE",
      reviewState: "NONE",
      setupDone: 0,
      permissionDenials: "[]",
      createdAt: at,
      updatedAt: at,
      changedFiles: "[]",
    };
    const { id: inserted } = statement(INSERT).get(...COLUMNS.map((column) => values[column])) as { id: number };
    statement(BRANCH).run(inserted);
    return inserted;
  });
  if (id === null) return null;
  const [row] = tasksByIds([id]);
  if (!row) throw new Error(`Task ${id} was inserted but cannot be read back.`);
  return row;
}

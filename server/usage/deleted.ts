import "server-only";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";

/**
 * Deleting a task (or its workspace) cascades its runs away. So that what they cost stays in
 * the usage report, the delete first copies each run's usage into `DeletedRunUsage`, in the same
 * transaction and under the same condition as the delete itself. A ledger of copies rather than
 * soft-deleted tasks: every task query would otherwise have to learn to skip tombstones, and the
 * report needs only the figures, the grouping keys and whether the task had merged.
 */

const COLUMNS = `"runId", "taskId", "taskNumber", "workspaceId", "workspaceName", "taskModel", "taskStatus", "taskMerged", "backend", "model",
  "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "costSource", "startedAt", "deletedAt"`;

const SOURCE = `SELECT r."id", t."id", t."number", t."workspaceId", w."name", t."model", t."status",
    CASE WHEN t."mergedAt" IS NOT NULL OR t."pullRequestState" = 'merged' THEN 1 ELSE 0 END, r."backend", r."model",
    r."inputTokens", r."outputTokens", r."cacheReadTokens", r."cacheWriteTokens", r."costUsd", r."costSource", r."startedAt", ?
  FROM "Run" r JOIN "Task" t ON t."id" = r."taskId" LEFT JOIN "Workspace" w ON w."id" = t."workspaceId"`;

/** The statement that keeps the usage of a task's runs, if the task is not running (deleteTask's condition). */
export function keepTaskUsage(taskId: number) {
  return db().$executeRawUnsafe(`INSERT INTO "DeletedRunUsage" (${COLUMNS}) ${SOURCE} WHERE t."id" = ? AND t."status" <> 'RUNNING'`, sqlDate(new Date()), taskId);
}

/** The statement that keeps the usage of a workspace's runs, if none of its tasks is running (deleteWorkspace's condition). */
export function keepWorkspaceUsage(workspaceId: number) {
  return db().$executeRawUnsafe(
    `INSERT INTO "DeletedRunUsage" (${COLUMNS}) ${SOURCE}
     WHERE t."workspaceId" = ? AND NOT EXISTS (SELECT 1 FROM "Task" x WHERE x."workspaceId" = ? AND x."status" = 'RUNNING')`,
    sqlDate(new Date()),
    workspaceId,
    workspaceId,
  );
}

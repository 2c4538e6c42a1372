import "server-only";
import { ABANDONED_AFTER_DAYS } from "@/lib/schemas/usage";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";

/**
 * Every run's usage as one table `u`, for the usage report: the runs of existing tasks and those
 * of deleted tasks (DeletedRunUsage), so deleting a task changes no total. Each row carries its
 * task's id, workspace and model, and the task's outcome:
 * - `merged`: landed (mergedAt, or its pull request merged on the forge);
 * - `failed`: FAILED and not merged;
 * - `deleted`: deleted before it merged;
 * - `abandoned`: DONE, not merged, and its pull request closed or finished more than
 *   ABANDONED_AFTER_DAYS days ago;
 * - `awaiting`: DONE more recently and not merged yet (not "never merged" yet);
 * - `open`: queued or running.
 */
export function usageRows(now = new Date()): string {
  // A date this module computes, in the stored format: safe to inline.
  const abandonedBefore = sqlDate(new Date(now.getTime() - ABANDONED_AFTER_DAYS * 24 * 60 * 60 * 1000));
  return `(
    SELECT r."backend", r."model", r."startedAt", r."inputTokens", r."outputTokens", r."cacheReadTokens", r."cacheWriteTokens",
      r."costUsd", r."costSource", r."taskId", t."workspaceId", t."model" AS "taskModel",
      CASE
        WHEN t."mergedAt" IS NOT NULL OR t."pullRequestState" = 'merged' THEN 'merged'
        WHEN t."status" = 'FAILED' THEN 'failed'
        WHEN t."status" = 'DONE' AND (t."pullRequestState" = 'closed' OR t."finishedAt" < '${abandonedBefore}') THEN 'abandoned'
        WHEN t."status" = 'DONE' THEN 'awaiting'
        ELSE 'open'
      END AS "outcome"
    FROM "Run" r JOIN "Task" t ON t."id" = r."taskId"
    UNION ALL
    SELECT d."backend", d."model", d."startedAt", d."inputTokens", d."outputTokens", d."cacheReadTokens", d."cacheWriteTokens",
      d."costUsd", d."costSource", d."taskId", d."workspaceId", d."taskModel",
      CASE WHEN d."taskMerged" THEN 'merged' ELSE 'deleted' END AS "outcome"
    FROM "DeletedRunUsage" d
  ) u`;
}

/** Workspace names by id: the existing ones, and the names deleted workspaces had. */
export async function workspaceNames(): Promise<Map<string, string>> {
  const [gone, live] = await Promise.all([
    db().deletedRunUsage.findMany({ where: { workspaceId: { not: null }, workspaceName: { not: null } }, distinct: ["workspaceId"], select: { workspaceId: true, workspaceName: true } }),
    db().workspace.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>();
  for (const row of gone) names.set(String(row.workspaceId), row.workspaceName!);
  for (const row of live) names.set(String(row.id), row.name);
  return names;
}

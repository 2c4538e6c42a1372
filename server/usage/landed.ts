import "server-only";
import type { LandedCost, LandedGroup } from "@/lib/schemas/usage";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";

/**
 * What the user paid for what landed: the cost of the period's runs on tasks that merged (per
 * merged task), and on finished tasks (DONE or FAILED) that never merged. Tasks still queued or
 * running count in neither. A deleted task's runs are deleted with it, so its spend is not here.
 */

const GROUPS = { totals: `'all'`, byModel: `t."model"`, byWorkspace: `CAST(t."workspaceId" AS TEXT)` } as const;

type Row = { key: unknown; merged: unknown; tasks: unknown; costUsd: unknown };

function groups(rows: Row[]): LandedGroup[] {
  const byKey = new Map<string, LandedGroup>();
  for (const row of rows) {
    const key = String(row.key);
    const group = byKey.get(key) ?? { key, mergedTasks: 0, mergedCostUsd: 0, costPerMergedTask: null, neverMergedTasks: 0, neverMergedCostUsd: 0 };
    if (Number(row.merged) === 1) {
      group.mergedTasks = Number(row.tasks);
      group.mergedCostUsd = Number(row.costUsd ?? 0);
      group.costPerMergedTask = group.mergedTasks > 0 ? group.mergedCostUsd / group.mergedTasks : null;
    } else {
      group.neverMergedTasks = Number(row.tasks);
      group.neverMergedCostUsd = Number(row.costUsd ?? 0);
    }
    byKey.set(key, group);
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export async function landedCost(since: Date): Promise<LandedCost> {
  const query = (expression: string) =>
    db().$queryRawUnsafe<Row[]>(
      `SELECT ${expression} AS key, CASE WHEN t."mergedAt" IS NOT NULL THEN 1 ELSE 0 END AS merged, COUNT(DISTINCT t."id") AS tasks, SUM(r."costUsd") AS costUsd
       FROM "Run" r JOIN "Task" t ON t."id" = r."taskId"
       WHERE r."startedAt" >= ? AND (t."mergedAt" IS NOT NULL OR t."status" IN ('DONE', 'FAILED'))
       GROUP BY 1, 2`,
      sqlDate(since),
    );
  const [totals, byModel, byWorkspace] = await Promise.all([query(GROUPS.totals), query(GROUPS.byModel), query(GROUPS.byWorkspace)]);
  const empty: LandedGroup = { key: "all", mergedTasks: 0, mergedCostUsd: 0, costPerMergedTask: null, neverMergedTasks: 0, neverMergedCostUsd: 0 };
  const workspaces = await db().workspace.findMany({ select: { id: true, name: true } });
  const perWorkspace = groups(byWorkspace).map((group) => ({ ...group, name: workspaces.find((workspace) => String(workspace.id) === group.key)?.name ?? `#${group.key}` }));
  return { totals: groups(totals)[0] ?? empty, byModel: groups(byModel), byWorkspace: perWorkspace };
}

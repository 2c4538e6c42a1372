import "server-only";
import type { LandedCost, LandedGroup } from "@/lib/schemas/usage";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";
import { usageRows, workspaceNames } from "./source";

/**
 * What the user paid for what landed: the cost of the period's runs on tasks that merged (per
 * merged task), and on tasks that never merged, by why (failed, deleted, abandoned: see
 * server/usage/source.ts). Tasks queued or running count in none; recent DONE ones are awaiting.
 */

const GROUPS = { totals: `'all'`, byModel: `u."taskModel"`, byWorkspace: `CAST(u."workspaceId" AS TEXT)` } as const;

type Row = { key: unknown; outcome: unknown; tasks: unknown; costUsd: unknown };

function emptyGroup(key: string): LandedGroup {
  const none = () => ({ tasks: 0, costUsd: 0 });
  return {
    key, mergedTasks: 0, mergedCostUsd: 0, costPerMergedTask: null, neverMergedTasks: 0, neverMergedCostUsd: 0,
    neverMerged: { failed: none(), deleted: none(), abandoned: none() }, awaitingMerge: none(),
  };
}

function groups(rows: Row[]): LandedGroup[] {
  const byKey = new Map<string, LandedGroup>();
  for (const row of rows) {
    const key = String(row.key);
    const group = byKey.get(key) ?? emptyGroup(key);
    const spend = { tasks: Number(row.tasks), costUsd: Number(row.costUsd ?? 0) };
    if (row.outcome === "merged") {
      group.mergedTasks = spend.tasks;
      group.mergedCostUsd = spend.costUsd;
      group.costPerMergedTask = spend.tasks > 0 ? spend.costUsd / spend.tasks : null;
    } else if (row.outcome === "awaiting") {
      group.awaitingMerge = spend;
    } else if (row.outcome === "failed" || row.outcome === "deleted" || row.outcome === "abandoned") {
      group.neverMerged[row.outcome] = spend;
      group.neverMergedTasks += spend.tasks;
      group.neverMergedCostUsd += spend.costUsd;
    }
    byKey.set(key, group);
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export async function landedCost(since: Date, now = new Date()): Promise<LandedCost> {
  const query = (expression: string) =>
    db().$queryRawUnsafe<Row[]>(
      `SELECT ${expression} AS key, u."outcome" AS outcome, COUNT(DISTINCT u."taskId") AS tasks, SUM(u."costUsd") AS costUsd
       FROM ${usageRows(now)}
       WHERE u."startedAt" >= ? AND u."outcome" <> 'open'
       GROUP BY 1, 2`,
      sqlDate(since),
    );
  const [totals, byModel, byWorkspace] = await Promise.all([query(GROUPS.totals), query(GROUPS.byModel), query(GROUPS.byWorkspace)]);
  const names = await workspaceNames();
  const perWorkspace = groups(byWorkspace).map((group) => ({ ...group, name: names.get(group.key) ?? `#${group.key}` }));
  return { totals: groups(totals)[0] ?? emptyGroup("all"), byModel: groups(byModel), byWorkspace: perWorkspace };
}

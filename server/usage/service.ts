import "server-only";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";
import { landedCost } from "./landed";
import { usageRows, workspaceNames } from "./source";
import type { UsageFiguresRow as UsageFiguresWithRuns, UsageGroup, UsageReport } from "@/lib/schemas/usage";

const SUMS = `SUM(u."inputTokens") AS inputTokens, SUM(u."outputTokens") AS outputTokens, SUM(u."cacheReadTokens") AS cacheReadTokens,
  SUM(u."cacheWriteTokens") AS cacheWriteTokens, SUM(u."costUsd") AS costUsd,
  SUM(CASE WHEN u."costSource" = 'estimated' THEN u."costUsd" ELSE 0 END) AS estimatedCostUsd, COUNT(*) AS runs`;

const GROUPINGS = {
  byBackend: `u."backend"`,
  byModel: `u."model"`,
  byWorkspace: `CAST(u."workspaceId" AS TEXT)`,
  byDay: `substr(u."startedAt", 1, 10)`,
} as const;

type Row = Record<string, unknown>;

function figures(row: Row): UsageFiguresWithRuns {
  const num = (key: string) => Number(row[key] ?? 0);
  return {
    inputTokens: num("inputTokens"),
    outputTokens: num("outputTokens"),
    cacheReadTokens: num("cacheReadTokens"),
    cacheWriteTokens: num("cacheWriteTokens"),
    costUsd: num("costUsd"),
    estimatedCostUsd: num("estimatedCostUsd"),
    runs: num("runs"),
  };
}

/**
 * Tokens, cost and runs since `days` days ago (UTC days), in total and per backend, model,
 * workspace and day; the runs of deleted tasks included (server/usage/source.ts).
 */
export async function usageSummary(days: number, now = new Date()): Promise<UsageReport> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const from = `FROM ${usageRows(now)} WHERE u."startedAt" >= ?`;
  const [totals] = await db().$queryRawUnsafe<Row[]>(`SELECT ${SUMS} ${from}`, sqlDate(since));
  const groups = Object.fromEntries(
    await Promise.all(
      Object.entries(GROUPINGS).map(async ([name, expression]) => {
        const rows = await db().$queryRawUnsafe<Row[]>(`SELECT ${expression} AS key, ${SUMS} ${from} GROUP BY 1 ORDER BY 1`, sqlDate(since));
        return [name, rows.map((row) => ({ key: String(row.key), ...figures(row) }))];
      }),
    ),
  ) as Record<keyof typeof GROUPINGS, UsageGroup[]>;
  const names = await workspaceNames();
  for (const group of groups.byWorkspace) group.name = names.get(group.key) ?? `#${group.key}`;
  return { days, since: since.toISOString(), totals: figures(totals ?? {}), ...groups, landed: await landedCost(since, now) };
}

import "server-only";
import { db } from "@/server/db/client";
import { sqlDate } from "@/server/db/sql-date";
import { landedCost } from "./landed";
import type { UsageFiguresRow as UsageFiguresWithRuns, UsageGroup, UsageReport } from "@/lib/schemas/usage";


const SUMS = `SUM(r."inputTokens") AS inputTokens, SUM(r."outputTokens") AS outputTokens, SUM(r."cacheReadTokens") AS cacheReadTokens,
  SUM(r."cacheWriteTokens") AS cacheWriteTokens, SUM(r."costUsd") AS costUsd,
  SUM(CASE WHEN r."costSource" = 'estimated' THEN r."costUsd" ELSE 0 END) AS estimatedCostUsd, COUNT(*) AS runs`;

const GROUPINGS = {
  byBackend: `r."backend"`,
  byModel: `r."model"`,
  byWorkspace: `CAST(t."workspaceId" AS TEXT)`,
  byDay: `substr(r."startedAt", 1, 10)`,
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

/** Tokens, cost and runs since `days` days ago (UTC days), in total and per backend, model, workspace and day. */
export async function usageSummary(days: number, now = new Date()): Promise<UsageReport> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const from = `FROM "Run" r JOIN "Task" t ON t."id" = r."taskId" WHERE r."startedAt" >= ?`;
  const [totals] = await db().$queryRawUnsafe<Row[]>(`SELECT ${SUMS} ${from}`, sqlDate(since));
  const groups = Object.fromEntries(
    await Promise.all(
      Object.entries(GROUPINGS).map(async ([name, expression]) => {
        const rows = await db().$queryRawUnsafe<Row[]>(`SELECT ${expression} AS key, ${SUMS} ${from} GROUP BY 1 ORDER BY 1`, sqlDate(since));
        return [name, rows.map((row) => ({ key: String(row.key), ...figures(row) }))];
      }),
    ),
  ) as Record<keyof typeof GROUPINGS, UsageGroup[]>;
  const workspaces = await db().workspace.findMany({ select: { id: true, name: true } });
  for (const group of groups.byWorkspace) group.name = workspaces.find((workspace) => String(workspace.id) === group.key)?.name ?? `#${group.key}`;
  return { days, since: since.toISOString(), totals: figures(totals ?? {}), ...groups, landed: await landedCost(since) };
}

import "server-only";
import type { UsageFigures } from "@/lib/log-events";
import { db } from "@/server/db/client";

/** Sums of the runs' per-run usage, per task. */
export async function usageByTask(taskIds: number[]): Promise<Map<number, UsageFigures>> {
  if (taskIds.length === 0) return new Map();
  const groups = await db().run.groupBy({
    by: ["taskId"],
    where: { taskId: { in: taskIds } },
    _sum: { inputTokens: true, outputTokens: true, cacheReadTokens: true, cacheWriteTokens: true, costUsd: true },
  });
  return new Map(
    groups.map((group) => [
      group.taskId,
      {
        inputTokens: group._sum.inputTokens ?? 0,
        outputTokens: group._sum.outputTokens ?? 0,
        cacheReadTokens: group._sum.cacheReadTokens ?? 0,
        cacheWriteTokens: group._sum.cacheWriteTokens ?? 0,
        costUsd: group._sum.costUsd ?? 0,
      },
    ]),
  );
}

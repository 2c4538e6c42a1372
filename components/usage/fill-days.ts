import type { UsageGroup } from "@/lib/hooks/use-usage";

const DAY_MS = 86_400_000;

function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every day of the range, zeros where nothing ran; it ends today or at the newest day reported. */
export function fillDays(rows: UsageGroup[], days: number, today: string): UsageGroup[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const last = [today, ...rows.map((row) => row.key)].sort().at(-1)!;
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: days }, (_, index) => {
    const key = dayKey(end - (days - 1 - index) * DAY_MS);
    return byKey.get(key) ?? { key, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, estimatedCostUsd: 0, runs: 0 };
  });
}

"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { usageReportSchema, type UsageFiguresRow } from "@/lib/schemas/usage";

export type { UsageFiguresRow, UsageGroup, UsageReport } from "@/lib/schemas/usage";

export const usageKey = (days: number) => `/api/usage?days=${days}`;

export function useUsage(days: number) {
  const { data, error, isLoading } = useSWR(usageKey(days), fetcherFor(usageReportSchema), { refreshInterval: 60_000, keepPreviousData: true });
  return { usage: data, error, isLoading };
}

export function totalTokens(row: Partial<UsageFiguresRow> | undefined): number {
  if (!row) return 0;
  return (row.inputTokens ?? 0) + (row.outputTokens ?? 0) + (row.cacheReadTokens ?? 0) + (row.cacheWriteTokens ?? 0);
}

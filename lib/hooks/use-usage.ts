"use client";

import useSWR from "swr";

export interface UsageFiguresRow {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  runs: number;
}

export interface UsageGroup extends UsageFiguresRow {
  key: string;
  name?: string;
}

/** GET /api/usage?days=N */
export interface UsageReport {
  totals: UsageFiguresRow;
  byBackend: UsageGroup[];
  byModel: UsageGroup[];
  byWorkspace: UsageGroup[];
  byDay: UsageGroup[];
}

export const usageKey = (days: number) => `/api/usage?days=${days}`;

export function useUsage(days: number) {
  const { data, error, isLoading } = useSWR<UsageReport>(usageKey(days), { refreshInterval: 60_000, keepPreviousData: true });
  return { usage: data, error, isLoading };
}

export function totalTokens(row: Partial<UsageFiguresRow> | undefined): number {
  if (!row) return 0;
  return (row.inputTokens ?? 0) + (row.outputTokens ?? 0) + (row.cacheReadTokens ?? 0) + (row.cacheWriteTokens ?? 0);
}

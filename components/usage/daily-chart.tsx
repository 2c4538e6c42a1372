"use client";

import { cn } from "@/components/ui/cn";
import { formatCost, formatTokens } from "@/lib/format";
import type { UsageGroup } from "@/lib/hooks/use-usage";

export type DailyMetric = "tokens" | "cost";

const SERIES = [
  { key: "inputTokens", label: "Input", className: "bg-info" },
  { key: "outputTokens", label: "Output", className: "bg-violet-500" },
  { key: "cacheReadTokens", label: "Cache read", className: "bg-info/35" },
  { key: "cacheWriteTokens", label: "Cache write", className: "bg-warning/70" },
] as const;

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

function label(key: string): string {
  const date = new Date(`${key}T00:00:00Z`);
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function tooltip(row: UsageGroup): string {
  return `${label(row.key)}: ${formatCost(row.costUsd)} · ${formatTokens(row.inputTokens)} in · ${formatTokens(row.outputTokens)} out · ${formatTokens(row.cacheReadTokens)} cache read · ${formatTokens(row.cacheWriteTokens)} cache write · ${row.runs} runs`;
}

/** Bars per day: stacked token kinds, or cost. Hand-rolled CSS; each bar carries its figures as a tooltip. */
export function DailyChart({ rows, metric }: { rows: UsageGroup[]; metric: DailyMetric }) {
  const value = (row: UsageGroup) =>
    metric === "cost" ? row.costUsd : row.inputTokens + row.outputTokens + row.cacheReadTokens + row.cacheWriteTokens;
  const max = Math.max(...rows.map(value), 0);
  const labelEvery = Math.ceil(rows.length / 10);
  const summary = metric === "cost" ? formatCost(rows.reduce((sum, row) => sum + row.costUsd, 0)) : formatTokens(rows.reduce((sum, row) => sum + value(row), 0));

  return (
    <figure className="grid gap-3" data-testid="daily-chart">
      <div className="flex items-stretch gap-2">
        <div className="flex w-12 flex-col justify-between py-0.5 text-right text-[11px] text-muted-foreground tabular-nums" aria-hidden>
          <span>{metric === "cost" ? formatCost(max) : formatTokens(max)}</span>
          <span>{metric === "cost" ? formatCost(max / 2) : formatTokens(max / 2)}</span>
          <span>0</span>
        </div>
        <div
          role="img"
          aria-label={`${metric === "cost" ? "Cost" : "Tokens"} per day over ${rows.length} days, ${summary} in all`}
          className="relative flex h-56 flex-1 items-end gap-[2px] border-b border-l px-1"
        >
          <div className="pointer-events-none absolute inset-x-0 top-1/2 border-t border-dashed" aria-hidden />
          {rows.map((row) => {
            const total = value(row);
            const height = max > 0 ? (total / max) * 100 : 0;
            return (
              <div key={row.key} className="group relative flex h-full min-w-0 flex-1 items-end" title={tooltip(row)}>
                <div
                  className={cn("flex w-full flex-col-reverse overflow-hidden rounded-t-[3px] transition-opacity group-hover:opacity-80", total > 0 && "min-h-[2px]")}
                  style={{ height: `${height}%` }}
                >
                  {metric === "cost" ? (
                    <div className="h-full w-full bg-info" />
                  ) : (
                    SERIES.map((series) => (
                      <div key={series.key} className={series.className} style={{ height: total > 0 ? `${(row[series.key] / total) * 100}%` : 0 }} />
                    ))
                  )}
                </div>
              </div>
            );
          })}
        </div>
      </div>
      <div className="ml-14 flex gap-[2px] px-1 text-[10px] text-muted-foreground" aria-hidden>
        {rows.map((row, index) => (
          <span key={row.key} className="min-w-0 flex-1 overflow-visible text-center whitespace-nowrap">
            {index % labelEvery === 0 ? label(row.key) : ""}
          </span>
        ))}
      </div>
      {metric === "tokens" ? (
        <figcaption className="ml-14 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
          {SERIES.map((series) => (
            <span key={series.key} className="inline-flex items-center gap-1.5">
              <span className={cn("size-2.5 rounded-sm", series.className)} aria-hidden />
              {series.label}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}

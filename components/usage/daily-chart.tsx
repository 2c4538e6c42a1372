"use client";

import { Bar, BarChart, CartesianGrid, XAxis, YAxis } from "recharts";
import { ChartContainer, ChartLegend, ChartLegendContent, ChartTooltip, ChartTooltipContent, type ChartConfig } from "@/components/ui/chart";
import { formatCost, formatTokens } from "@/lib/format";
import type { UsageGroup } from "@/lib/hooks/use-usage";

export type DailyMetric = "tokens" | "cost";

function label(key: string): string {
  const date = new Date(`${key}T00:00:00Z`);
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

const TOKEN_CONFIG = {
  inputTokens: { label: "Input", color: "var(--info)" },
  outputTokens: { label: "Output", color: "oklch(0.606 0.25 292.717)" },
  cacheReadTokens: { label: "Cache read", color: "color-mix(in oklch, var(--info) 35%, transparent)" },
  cacheWriteTokens: { label: "Cache write", color: "color-mix(in oklch, var(--warning) 70%, transparent)" },
} satisfies ChartConfig;
const COST_CONFIG = { costUsd: { label: "Cost", color: "var(--info)" } } satisfies ChartConfig;

/** Bars per day (Recharts through shadcn's chart): stacked token kinds, or cost; a tooltip has the day's figures. */
export function DailyChart({ rows, metric }: { rows: UsageGroup[]; metric: DailyMetric }) {
  const total = (row: UsageGroup) => row.inputTokens + row.outputTokens + row.cacheReadTokens + row.cacheWriteTokens;
  const summary = metric === "cost" ? formatCost(rows.reduce((sum, row) => sum + row.costUsd, 0)) : formatTokens(rows.reduce((sum, row) => sum + total(row), 0));
  const format = (value: number) => (metric === "cost" ? formatCost(value) : formatTokens(value));
  const config = metric === "cost" ? COST_CONFIG : TOKEN_CONFIG;
  const keys = Object.keys(config) as (keyof typeof TOKEN_CONFIG | "costUsd")[];

  return (
    <figure className="grid gap-3" data-testid="daily-chart" role="img" aria-label={`${metric === "cost" ? "Cost" : "Tokens"} per day over ${rows.length} days, ${summary} in all`}>
      <ChartContainer config={config} className="aspect-auto h-64 w-full">
        <BarChart data={rows} margin={{ left: 4, right: 4, top: 8 }} accessibilityLayer>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis dataKey="key" tickLine={false} axisLine={false} tickMargin={8} minTickGap={16} tickFormatter={label} />
          <YAxis tickLine={false} axisLine={false} width={48} tickFormatter={(value: number) => format(value)} />
          <ChartTooltip
            cursor={false}
            content={
              <ChartTooltipContent
                labelFormatter={(_label, payload) => {
                  const row = payload[0]?.payload as UsageGroup | undefined;
                  return row ? `${label(row.key)} · ${row.runs} ${row.runs === 1 ? "run" : "runs"}` : null;
                }}
                formatter={(value) => format(Number(value))}
                footer={(payload) => {
                  const row = payload[0]?.payload as UsageGroup | undefined;
                  return row ? (metric === "cost" ? `${formatTokens(total(row))} tokens` : `${formatCost(row.costUsd)} in all`) : null;
                }}
              />
            }
          />
          {metric === "tokens" ? <ChartLegend content={<ChartLegendContent />} /> : null}
          {keys.map((key, index) => (
            <Bar
              key={key}
              dataKey={key}
              stackId="day"
              fill={`var(--color-${key})`}
              radius={index === keys.length - 1 ? [3, 3, 0, 0] : 0}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ChartContainer>
    </figure>
  );
}

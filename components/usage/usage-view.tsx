"use client";

import { BarChart3, TriangleAlert } from "lucide-react";
import dynamic from "next/dynamic";
import { useMemo, useState, type ReactNode } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Segmented } from "@/components/ui/segmented";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, isMissingEndpoint } from "@/lib/api-client";
import { BACKEND_LABELS, type Backend } from "@/lib/enums";
import { formatCost, formatTokens } from "@/lib/format";
import { totalTokens, useUsage, type UsageGroup } from "@/lib/hooks/use-usage";
import { BarList, type BarListItem } from "./bar-list";
import { LandedCostPanel } from "./landed-cost";
import type { DailyMetric } from "./daily-chart";
import { fillDays } from "./fill-days";
import { QuotaBanners } from "./quota-banners";

// Recharts is loaded with the usage page's chart only, in the browser (it measures its container).
const DailyChart = dynamic(() => import("./daily-chart").then((module) => module.DailyChart), {
  ssr: false,
  loading: () => <Skeleton className="h-64" />,
});

const RANGES = [
  { value: 7, label: "7 days" },
  { value: 30, label: "30 days" },
  { value: 90, label: "90 days" },
];

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card className="grid gap-1 p-4">
      <span className="text-xs font-medium text-muted-foreground">{label}</span>
      <span className="text-2xl font-semibold tracking-tight tabular-nums">{value}</span>
      {detail ? <span className="text-xs text-muted-foreground tabular-nums">{detail}</span> : null}
    </Card>
  );
}

function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Card className="grid content-start gap-4 p-5">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{title}</h2>
        {actions}
      </div>
      {children}
    </Card>
  );
}

/** A cost with its estimated share marked: "≈" when all of it is estimated. */
function costText(row: { costUsd: number; estimatedCostUsd: number }): string {
  if (row.estimatedCostUsd <= 0) return formatCost(row.costUsd);
  if (row.estimatedCostUsd >= row.costUsd) return `≈ ${formatCost(row.costUsd)}`;
  return `${formatCost(row.costUsd)} (≈ ${formatCost(row.estimatedCostUsd)} estimated)`;
}

function toBars(rows: UsageGroup[], labelOf: (row: UsageGroup) => string, metric: DailyMetric): BarListItem[] {
  return rows
    .map((row) => ({
      key: row.key,
      label: labelOf(row),
      value: metric === "cost" ? row.costUsd : totalTokens(row),
      display: metric === "cost" ? costText(row) : formatTokens(totalTokens(row)),
      detail: metric === "cost" ? `${formatTokens(totalTokens(row))} tok` : costText(row),
    }))
    .sort((a, b) => b.value - a.value);
}

export function UsageView() {
  const [days, setDays] = useState(7);
  const [metric, setMetric] = useState<DailyMetric>("tokens");
  const { usage, error, isLoading } = useUsage(days);
  const daily = useMemo(() => (usage ? fillDays(usage.byDay, days, new Date().toISOString().slice(0, 10)) : []), [usage, days]);

  const header = (
    <PageHeader
      title="Usage"
      description="Tokens and cost of agent runs, by day, model, workspace and agent."
      actions={<Segmented label="Time range" value={days} onChange={setDays} options={RANGES} />}
    />
  );
  if (error && !usage) {
    const missing = isMissingEndpoint(error);
    return (
      <div className="grid gap-6">
        {header}
        <EmptyState
          icon={missing ? BarChart3 : TriangleAlert}
          tone={missing ? "default" : "error"}
          title={missing ? "Usage reporting is not available yet" : "Usage could not be loaded"}
          description={missing ? "This server does not report usage yet. Per-run figures are on each task's Runs tab." : errorMessage(error)}
        />
      </div>
    );
  }

  const totals = usage?.totals;
  const metricToggle = (
    <Segmented
      label="Metric"
      value={metric}
      onChange={setMetric}
      options={[
        { value: "tokens", label: "Tokens" },
        { value: "cost", label: "Cost" },
      ]}
    />
  );
  return (
    <div className="grid gap-6" data-testid="usage-view">
      {header}
      <QuotaBanners />
      {isLoading && !usage ? (
        <div className="grid gap-4" aria-busy="true" aria-label="Loading usage">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
            {[0, 1, 2, 3].map((index) => (
              <Skeleton key={index} className="h-24 rounded-xl" />
            ))}
          </div>
          <Skeleton className="h-80 rounded-xl" />
        </div>
      ) : totals ? (
        <>
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
            <Stat
              label="Cost"
              value={formatCost(totals.costUsd)}
              detail={`${totals.runs} ${totals.runs === 1 ? "run" : "runs"}${totals.estimatedCostUsd > 0 ? ` · ≈ ${formatCost(totals.estimatedCostUsd)} estimated from list prices` : ""}`}
            />
            <Stat label="Input tokens" value={formatTokens(totals.inputTokens)} />
            <Stat label="Output tokens" value={formatTokens(totals.outputTokens)} />
            <Stat label="Cache tokens" value={formatTokens(totals.cacheReadTokens + totals.cacheWriteTokens)} detail={`${formatTokens(totals.cacheReadTokens)} read · ${formatTokens(totals.cacheWriteTokens)} write`} />
          </div>
          <LandedCostPanel landed={usage.landed} />
          <Panel title="Per day" actions={metricToggle}>
            <DailyChart rows={daily} metric={metric} />
          </Panel>
          <div className="grid gap-6 lg:grid-cols-2">
            <Panel title="By model">
              <BarList items={toBars(usage.byModel, (row) => row.name ?? row.key, metric)} emptyText="No runs in this range." />
            </Panel>
            <Panel title="By workspace">
              <BarList items={toBars(usage.byWorkspace, (row) => row.name ?? `Workspace ${row.key}`, metric)} emptyText="No runs in this range." barClassName="bg-violet-500/15 dark:bg-violet-500/20" />
            </Panel>
            <Panel title="By agent">
              <BarList items={toBars(usage.byBackend, (row) => BACKEND_LABELS[row.key as Backend] ?? row.key, metric)} emptyText="No runs in this range." barClassName="bg-success/15 dark:bg-success/20" />
            </Panel>
          </div>
        </>
      ) : null}
    </div>
  );
}

"use client";

import { ArrowRight, Coins } from "lucide-react";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { isMissingEndpoint } from "@/lib/api-client";
import { formatCost, formatTokens } from "@/lib/format";
import { totalTokens, useUsage, type UsageFiguresRow } from "@/lib/hooks/use-usage";
import { BarList } from "./bar-list";

function Period({ label, figures }: { label: string; figures: UsageFiguresRow | undefined }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <span className="text-xs font-medium text-muted-foreground">{label}</span>
      {figures ? (
        <>
          <span className="text-2xl leading-tight font-semibold tracking-tight tabular-nums">{formatCost(figures.costUsd)}</span>
          <span className="text-xs text-muted-foreground tabular-nums">
            {formatTokens(totalTokens(figures))} tokens · {figures.runs} {figures.runs === 1 ? "run" : "runs"}
          </span>
        </>
      ) : (
        <>
          <Skeleton className="h-7 w-20" />
          <Skeleton className="h-3 w-28" />
        </>
      )}
    </div>
  );
}

/** Today and the last 7 days: cost, tokens, runs, and the models that used them. */
export function UsageSummary() {
  const today = useUsage(1);
  const week = useUsage(7);
  const missing = isMissingEndpoint(week.error);
  const models = (week.usage?.byModel ?? [])
    .slice()
    .sort((a, b) => b.costUsd - a.costUsd || totalTokens(b) - totalTokens(a))
    .slice(0, 5)
    .map((row) => ({ key: row.key, label: row.name ?? row.key, value: row.costUsd || totalTokens(row), display: formatCost(row.costUsd), detail: formatTokens(totalTokens(row)) }));

  return (
    <Card className="flex flex-col" data-testid="usage-summary">
      <div className="flex items-center justify-between gap-2 px-5 pt-5">
        <h2 className="flex items-center gap-2 text-sm font-semibold">
          <Coins className="size-4 text-muted-foreground" aria-hidden />
          Usage
        </h2>
        <Link href="/usage" className="inline-flex items-center gap-1 rounded-sm text-xs font-medium text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring">
          Details <ArrowRight className="size-3" aria-hidden />
        </Link>
      </div>
      {missing || week.error ? (
        <p className="px-5 py-6 text-sm text-muted-foreground">{missing ? "Usage figures are not available from this server yet." : "Usage figures could not be loaded."}</p>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-4 px-5 pt-4">
            <Period label="Today" figures={today.usage?.totals} />
            <Period label="Last 7 days" figures={week.usage?.totals} />
          </div>
          <div className="flex flex-col gap-2 px-5 pt-5 pb-5">
            <span className="text-xs font-medium text-muted-foreground">By model · 7 days</span>
            {week.usage ? <BarList items={models} emptyText="No runs in the last 7 days." /> : <Skeleton className="h-20" />}
          </div>
        </>
      )}
    </Card>
  );
}

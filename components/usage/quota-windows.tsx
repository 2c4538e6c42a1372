"use client";

import { Gauge } from "lucide-react";
import { Card } from "@/components/ui/card";
import { PROVIDER_LABELS } from "@/lib/enums";
import { useQuota } from "@/lib/hooks/use-quota";
import type { QuotaState, QuotaWindow } from "@/lib/schemas/quota";
import { cn } from "@/components/ui/cn";

const WINDOW_NAMES: Record<QuotaWindow["window"], string> = { "5h": "5-hour window", "7d": "weekly window" };

function resetText(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return `, resets ${sameDay ? time : `${date.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`}`;
}

/** "Anthropic, work account" / "Anthropic" for the implicit default account. */
export function accountName(entry: Pick<QuotaState, "provider" | "accountId" | "label">): string {
  const provider = PROVIDER_LABELS[entry.provider] ?? entry.provider;
  return entry.accountId === null ? provider : `${provider}, ${entry.label} account`;
}

/** Each account's rate-limit windows as the CLIs last reported them: "5-hour window 93%, resets 14:00". */
export function QuotaWindows() {
  const { quota } = useQuota();
  const reported = (quota ?? []).filter((entry) => entry.windows.length > 0);
  if (reported.length === 0) return null;
  return (
    <Card className="flex flex-col gap-3 p-5" data-testid="quota-windows">
      <h2 className="flex items-center gap-2 text-sm font-semibold">
        <Gauge className="size-4 text-muted-foreground" aria-hidden />
        Rate-limit windows
      </h2>
      <ul className="grid gap-3">
        {reported.map((entry) => (
          <li key={`${entry.provider}-${entry.account}`} className="grid gap-1 text-sm" data-testid="quota-account" data-held={entry.held}>
            <span className="font-medium">
              {accountName(entry)}
              {entry.held ? <span className="ml-2 text-xs font-normal text-warning">held</span> : null}
            </span>
            {entry.windows.map((window) => {
              const percent = Math.round(window.utilization * 100);
              return (
                <div key={window.window} className="grid gap-1">
                  <span className="text-xs text-muted-foreground tabular-nums">
                    {WINDOW_NAMES[window.window]} {percent}%{resetText(window.resetsAt)}
                  </span>
                  <div className="h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden>
                    <div className={cn("h-full rounded-full", percent >= 90 ? "bg-warning" : "bg-primary")} style={{ width: `${Math.min(100, percent)}%` }} />
                  </div>
                </div>
              );
            })}
          </li>
        ))}
      </ul>
    </Card>
  );
}

"use client";

import { Gauge } from "lucide-react";
import { BACKENDS, BACKEND_LABELS, BACKEND_PROVIDER, PROVIDER_LABELS, type Provider } from "@/lib/enums";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useNow } from "@/lib/hooks/use-now";
import { useQuota } from "@/lib/hooks/use-quota";
import { cn } from "@/components/ui/cn";
import { accountName } from "./quota-windows";

export { PROVIDER_LABELS };

function backendsOf(provider: Provider): string {
  return BACKENDS.filter((backend) => BACKEND_PROVIDER[backend] === provider)
    .map((backend) => BACKEND_LABELS[backend])
    .join(", ");
}

/** One banner per provider whose quota is exhausted; its tasks wait until the reset. */
export function QuotaBanners({ className }: { className?: string }) {
  const { quota } = useQuota();
  const now = useNow();
  const exhausted = (quota ?? []).filter((entry) => entry.state === "EXHAUSTED");
  if (exhausted.length === 0) return null;
  return (
    <div className={cn("grid gap-2", className)}>
      {exhausted.map((entry) => (
        <div
          key={`${entry.provider}-${entry.account}`}
          role="status"
          data-testid="quota-banner"
          data-provider={entry.provider}
          className="flex items-start gap-3 rounded-lg border border-warning/40 bg-warning/10 px-4 py-3 text-sm"
        >
          <Gauge className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
          <div className="grid gap-0.5">
            <p className="font-medium">
              {accountName(entry)} quota exhausted
              <span className="font-normal text-muted-foreground"> · {backendsOf(entry.provider)} tasks wait</span>
            </p>
            <p className="text-[13px] text-muted-foreground">
              {entry.resetsAt ? (
                <>
                  Resets {formatRelative(entry.resetsAt, now)} ({formatDateTime(entry.resetsAt)}).
                </>
              ) : (
                "Reset time unknown: queued tasks start when a probe succeeds."
              )}
              {entry.note ? <span className="block truncate" title={entry.note}>{entry.note}</span> : null}
            </p>
          </div>
        </div>
      ))}
    </div>
  );
}

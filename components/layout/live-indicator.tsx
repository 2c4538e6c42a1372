"use client";

import { useLiveStatus } from "@/lib/hooks/use-board-events";
import { cn } from "@/components/ui/cn";

const LABELS = { open: "Live", connecting: "Connecting", reconnecting: "Reconnecting" } as const;

/** Whether board updates arrive live; when not, pages still refresh every few seconds. */
export function LiveIndicator({ className }: { className?: string }) {
  const status = useLiveStatus();
  return (
    <span
      className={cn("inline-flex items-center gap-1.5 text-xs text-muted-foreground", className)}
      title={status === "open" ? "Updates arrive as they happen" : "Live updates unavailable: refreshing every 10 s"}
      data-testid="live-indicator"
      data-status={status}
    >
      <span className="relative flex size-2">
        {status === "open" ? <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" /> : null}
        <span className={cn("relative inline-flex size-2 rounded-full", status === "open" ? "bg-success" : "bg-warning")} />
      </span>
      {LABELS[status]}
    </span>
  );
}

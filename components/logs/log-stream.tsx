"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { UsageFigures } from "@/lib/log-events";
import { LogModel } from "./log-model";
import { preloadMarkdown } from "./lazy-markdown";
import { LogRow, RawRow } from "./log-rows";
import { useLogStream, type LogStreamState } from "./use-log-stream";

/** How close to the bottom (px) still counts as "at the bottom": following the tail. */
const TAIL_SLACK_PX = 48;

const STATE_LABEL: Record<LogStreamState, { label: string; variant: "success" | "info" | "warning" | "muted" | "destructive" }> = {
  connecting: { label: "Connecting", variant: "muted" },
  live: { label: "Live", variant: "success" },
  reconnecting: { label: "Reconnecting", variant: "warning" },
  waiting: { label: "Waiting for the next run", variant: "muted" },
  ended: { label: "Ended", variant: "muted" },
  failed: { label: "Disconnected", variant: "destructive" },
};

/**
 * A run's log, live: the task's current run (following it to its next run) or, with `runId`,
 * one run. Virtualized, so 100k events scroll smoothly; follows the tail unless the reader
 * scrolled up.
 */
export function LogStream({ taskId, runId }: { taskId: number; runId?: number }) {
  useEffect(preloadMarkdown, []);
  const model = useMemo(() => new LogModel(), []);
  const version = useSyncExternalStore(model.subscribe, model.getVersion, () => 0);
  const { state, reconnect } = useLogStream(model, taskId, runId);
  const [raw, setRaw] = useState(false);
  const [following, setFollowing] = useState(true);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = raw ? model.rawRows : model.rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (raw ? 20 : 32),
    overscan: 10,
    getItemKey: (index) => rows[index]?.key ?? index,
  });

  const toggle = useCallback((key: string) => {
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }, []);

  const jumpToLatest = useCallback(() => {
    setFollowing(true);
    if (rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [rows.length, virtualizer]);

  useLayoutEffect(() => {
    if (following && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [version, raw, following, rows.length, virtualizer]);

  // Scrolling up stops following; scrolling back to the bottom resumes it.
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    let lastTop = element.scrollTop;
    const onScroll = () => {
      const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= TAIL_SLACK_PX;
      if (atBottom) setFollowing(true);
      else if (element.scrollTop < lastTop) setFollowing(false);
      lastTop = element.scrollTop;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, []);

  const status = STATE_LABEL[state];
  return (
    <div className="grid gap-2" data-testid="log-stream" data-state={state}>
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
        <Badge variant={status.variant} data-testid="log-stream-state">
          {status.label}
        </Badge>
        <span>{model.eventCount.toLocaleString()} events</span>
        {state === "failed" ? (
          <Button size="xs" variant="outline" onClick={reconnect}>
            <RefreshCw /> Reconnect
          </Button>
        ) : null}
        <label className="ml-auto flex cursor-pointer items-center gap-1.5 select-none">
          <input type="checkbox" checked={raw} onChange={(event) => setRaw(event.target.checked)} data-testid="log-raw-toggle" />
          Raw output
        </label>
      </div>
      {model.dropped > 0 ? (
        <p className="rounded-md border border-warning/40 bg-warning/10 px-3 py-1.5 text-xs" data-testid="log-dropped">
          {model.dropped.toLocaleString()} older events are not kept in this view to save memory; the run's full log is stored on the server.
        </p>
      ) : null}
      <div className="relative">
        <div ref={scrollRef} className="h-[60vh] min-h-64 overflow-y-auto rounded-lg border bg-surface px-3 py-2" role="log" aria-live="off">
          {rows.length === 0 ? <p className="py-6 text-center text-sm text-muted-foreground">{state === "connecting" ? "Loading the log…" : "No output yet."}</p> : null}
          <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  className={cn("absolute top-0 left-0 w-full", raw ? "py-px" : "py-1")}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {raw ? <RawRow row={model.rawRows[item.index]!} /> : <LogRow row={model.rows[item.index]!} open={expanded.has(row.key)} onToggle={toggle} />}
                </div>
              );
            })}
          </div>
        </div>
        {!following && rows.length > 0 ? (
          <Button size="xs" variant="secondary" className="absolute right-4 bottom-3 shadow-md" onClick={jumpToLatest} data-testid="log-jump-latest">
            <ArrowDown /> Jump to latest
          </Button>
        ) : null}
      </div>
      <UsageSummary usage={model.usage} />
    </div>
  );
}

function UsageSummary({ usage }: { usage: UsageFigures | null }) {
  if (!usage) return null;
  const figures = [
    ["Input", usage.inputTokens],
    ["Output", usage.outputTokens],
    ["Cache read", usage.cacheReadTokens],
    ["Cache write", usage.cacheWriteTokens],
  ] as const;
  return (
    <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground" data-testid="log-usage">
      {figures.map(([label, value]) => (
        <span key={label}>
          {label} <span className="font-medium text-foreground tabular-nums">{value.toLocaleString()}</span>
        </span>
      ))}
      <span>
        Cost <span className="font-medium text-foreground tabular-nums">${usage.costUsd.toFixed(4)}</span>
      </span>
    </p>
  );
}

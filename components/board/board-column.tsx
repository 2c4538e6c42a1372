"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { CheckCircle2, CircleDashed, LoaderCircle, XCircle } from "lucide-react";
import { useEffect, useRef } from "react";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import type { TaskStatus } from "@/lib/enums";
import type { TaskDto } from "@/lib/schemas/task";
import { TaskCard } from "./task-card";

const COLUMN = {
  TODO: { title: "Queued", icon: CircleDashed, tone: "text-muted-foreground", empty: "Nothing queued." },
  RUNNING: { title: "Running", icon: LoaderCircle, tone: "text-info", empty: "No task is running." },
  DONE: { title: "Done", icon: CheckCircle2, tone: "text-success", empty: "Finished tasks land here." },
  FAILED: { title: "Failed", icon: XCircle, tone: "text-destructive", empty: "No failures." },
} as const;

/** A card's height before it is measured, and the gap below each. */
const ESTIMATED_CARD_PX = 120;
const GAP_PX = 8;
/**
 * The column's height before it is measured: the server's render and the page's first render in
 * the browser (hydration) show the cards that fit in it, the same ones on both sides.
 */
const FIRST_VIEW_PX = 720;
/** Ask for the next page when the last loaded cards come within this many of the view. */
const LOAD_AHEAD = 8;

export interface BoardColumnProps {
  status: TaskStatus;
  /** The loaded cards, in the column's order; undefined while the first page loads. */
  tasks: TaskDto[] | undefined;
  /** How many tasks the column holds (the server's count, not the loaded page). */
  count?: number;
  /** More pages follow: scrolling near the end loads the next. */
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  /** Shown next to the count, e.g. "2/3" running slots. */
  meta?: string;
  baseBranch?: string;
  filtered?: boolean;
}

export function BoardColumn({ status, tasks, count, hasMore, loadingMore, onLoadMore, meta, baseBranch, filtered }: BoardColumnProps) {
  const { title, icon: Icon, tone, empty } = COLUMN[status];
  const headingId = `column-${status}-title`;
  const shown = count ?? tasks?.length;
  return (
    <section aria-labelledby={headingId} data-testid={`column-${status}`} className="flex min-w-0 flex-col gap-2 rounded-xl border bg-surface p-2">
      <header className="flex items-center gap-2 px-1.5 pt-1 pb-0.5">
        <Icon className={cn("size-4", tone, status === "RUNNING" && shown && "animate-spin [animation-duration:2.5s]")} aria-hidden />
        <h2 id={headingId} className="text-sm font-semibold">
          {title}
        </h2>
        <span
          className="rounded-md bg-muted px-1.5 text-xs font-medium tabular-nums text-muted-foreground"
          aria-label={`${shown ?? 0} tasks`}
          data-testid={`column-${status}-count`}
        >
          {shown ?? "–"}
        </span>
        {meta ? <span className="ml-auto text-xs text-muted-foreground tabular-nums">{meta}</span> : null}
      </header>
      {!tasks ? (
        <div className="flex flex-col gap-2">
          <Skeleton className="h-24 rounded-lg" />
          <Skeleton className="h-24 rounded-lg" />
        </div>
      ) : tasks.length === 0 ? (
        <p className="rounded-lg border border-dashed px-3 py-6 text-center text-xs text-muted-foreground">{filtered ? "No match." : empty}</p>
      ) : (
        <CardList status={status} tasks={tasks} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} baseBranch={baseBranch} />
      )}
    </section>
  );
}

/** Only the cards in view (and a few around) are in the DOM; the end of the list asks for more. */
function CardList({ status, tasks, hasMore, loadingMore, onLoadMore, baseBranch }: Pick<BoardColumnProps, "status" | "hasMore" | "loadingMore" | "onLoadMore" | "baseBranch"> & { tasks: TaskDto[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_CARD_PX + GAP_PX,
    initialRect: { width: 0, height: FIRST_VIEW_PX },
    overscan: 4,
    getItemKey: (index) => tasks[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= tasks.length - LOAD_AHEAD) onLoadMore?.();
  }, [hasMore, loadingMore, lastIndex, tasks.length, onLoadMore]);

  return (
    <div ref={scrollRef} className="max-h-[calc(100vh-14rem)] min-h-24 overflow-y-auto" data-testid={`column-${status}-scroll`}>
      <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const task = tasks[item.index]!;
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="absolute top-0 left-0 w-full"
              style={{ transform: `translateY(${item.start}px)`, paddingBottom: GAP_PX }}
            >
              <TaskCard task={task} baseBranch={baseBranch} />
            </div>
          );
        })}
      </div>
      {loadingMore ? <p className="py-2 text-center text-xs text-muted-foreground">Loading more…</p> : null}
    </div>
  );
}

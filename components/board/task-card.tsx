"use client";

import { CircleDollarSign, Clock, Hourglass } from "lucide-react";
import Link from "next/link";
import { memo } from "react";
import { Card } from "@/components/ui/card";
import { MergedBadge } from "@/components/tasks/task-status-badge";
import { TaskActions } from "@/components/tasks/task-actions";
import { PoolPlacement } from "./pool-placement";
import { TaskCardLinks } from "./task-card-links";
import { VerificationBadges } from "@/components/reviews/verification-badges";
import { BACKEND_LABELS } from "@/lib/enums";
import { formatCost, formatElapsed, formatRelative } from "@/lib/format";
import { useHydrated, useNow } from "@/lib/hooks/use-now";
import type { TaskDto } from "@/lib/schemas/task";

/**
 * RUNNING tasks tick every second; only their clock re-renders. The board's cards are rendered on
 * the server too: times read against the browser's clock, and local dates, appear once hydrated.
 */
function LiveElapsed({ since }: { since: string | null }) {
  const now = useNow();
  const hydrated = useHydrated();
  return <>{hydrated ? formatElapsed(since, null, now) : null}</>;
}

function LiveRelative({ at }: { at: string }) {
  const now = useNow();
  const hydrated = useHydrated();
  return <>{hydrated ? formatRelative(at, now) : null}</>;
}

function Timing({ task }: { task: TaskDto }) {
  const hydrated = useHydrated();
  if (task.status === "RUNNING") {
    return (
      <span className="inline-flex items-center gap-1 text-info" title="Running for">
        <Clock className="size-3" aria-hidden />
        <LiveElapsed since={task.startedAt} />
      </span>
    );
  }
  if (task.status === "TODO") {
    return (
      <span className="inline-flex items-center gap-1" title={hydrated ? `Queued ${new Date(task.createdAt).toLocaleString()}` : undefined}>
        <Hourglass className="size-3" aria-hidden />
        queued <LiveRelative at={task.createdAt} />
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1" title={hydrated && task.finishedAt ? `Finished ${new Date(task.finishedAt).toLocaleString()}` : undefined}>
      <Clock className="size-3" aria-hidden />
      {task.startedAt ? formatElapsed(task.startedAt, task.finishedAt) : "never started"}
    </span>
  );
}

export const TaskCard = memo(function TaskCard({ task, baseBranch }: { task: TaskDto; baseBranch?: string }) {
  const cost = task.usage?.costUsd ?? 0;
  return (
    <Card
      className="group/card flex flex-col gap-2 rounded-lg p-3 transition-colors hover:border-ring/40"
      data-testid="task-card"
      data-status={task.status}
      data-task-id={task.id}
    >
      <div className="flex items-center gap-1.5 text-xs text-muted-foreground">
        <span className="font-mono font-medium text-foreground/70">#{task.number}</span>
        <span aria-hidden>·</span>
        <span className="truncate">
          {BACKEND_LABELS[task.backend]} · <span className="font-mono">{task.model}</span>
        </span>
        {task.mergedAt ? <MergedBadge className="ml-auto" /> : null}
      </div>
      {/* Not prefetched: a board shows dozens of cards, and each prefetch is a render on the server
          while the board is loading (the route's loading shell; the task page loads its own data). */}
      <Link
        href={`/tasks/${task.id}`}
        prefetch={false}
        className="line-clamp-2 rounded-sm text-sm leading-snug font-medium outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
        title={task.prompt.slice(0, 500)}
      >
        {task.title}
      </Link>
      {task.parentTaskId !== null ? (
        <Link href={`/tasks/${task.parentTaskId}`} prefetch={false} className="text-xs text-muted-foreground hover:underline" data-testid="subtask-of">
          ↳ subtask of task {task.parentTaskId}
        </Link>
      ) : null}
      {task.checkState !== "NONE" || task.reviewState !== "NONE" || task.permissionDenials.length > 0 ? <VerificationBadges task={task} /> : null}
      <TaskCardLinks task={task} />
      {task.poolId !== null ? <PoolPlacement task={task} /> : null}
      {task.status === "TODO" && task.waitingReason ? (
        <p className="rounded-md border border-warning/30 bg-warning/10 px-2 py-1 text-xs" data-testid="waiting-reason">
          {task.waitingReason}
        </p>
      ) : null}
      {task.status === "FAILED" && task.failureReason ? (
        <p className="line-clamp-3 text-xs break-words text-destructive" data-testid="failure-reason" title={task.failureReason}>
          {task.failureReason}
        </p>
      ) : null}
      <div className="flex min-h-7 items-center justify-between gap-2">
        <div className="flex items-center gap-3 text-xs text-muted-foreground tabular-nums">
          <Timing task={task} />
          {cost > 0 ? (
            <span className="inline-flex items-center gap-1" title="Cost so far">
              <CircleDollarSign className="size-3" aria-hidden />
              {formatCost(cost)}
            </span>
          ) : null}
        </div>
        <TaskActions task={task} baseBranch={baseBranch} className="-mr-1" />
      </div>
    </Card>
  );
});

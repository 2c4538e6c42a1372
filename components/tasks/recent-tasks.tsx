"use client";

import { Activity } from "lucide-react";
import Link from "next/link";
import useSWR from "swr";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatElapsed, formatRelative } from "@/lib/format";
import { useNow } from "@/lib/hooks/use-now";
import { fetcherFor } from "@/lib/api-client";
import { taskListSchema } from "@/lib/schemas/task";
import { TaskStatusBadge } from "./task-status-badge";

/** The latest tasks across workspaces, running ones with a live clock. */
export function RecentTasks({ workspaceNames }: { workspaceNames: Map<number, string> }) {
  const { data, error } = useSWR("/api/tasks?limit=8", fetcherFor(taskListSchema), { refreshInterval: 10_000 });
  const now = useNow();
  return (
    <Card data-testid="recent-tasks">
      <h2 className="flex items-center gap-2 px-5 pt-5 text-sm font-semibold">
        <Activity className="size-4 text-muted-foreground" aria-hidden />
        Recent tasks
      </h2>
      <div className="px-2 pt-2 pb-3">
        {error ? <p className="px-3 py-3 text-sm text-muted-foreground">Tasks could not be loaded.</p> : null}
        {!data && !error ? (
          <div className="grid gap-2 px-3 py-2">
            <Skeleton className="h-9" />
            <Skeleton className="h-9" />
            <Skeleton className="h-9" />
          </div>
        ) : null}
        {data?.items.length === 0 ? <p className="px-3 py-3 text-sm text-muted-foreground">No tasks yet.</p> : null}
        <ul className="flex flex-col">
          {data?.items.map((task) => (
            <li key={task.id}>
              <Link
                href={`/tasks/${task.id}`}
                className="flex min-w-0 flex-col gap-0.5 rounded-md px-3 py-2 outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
              >
                <span className="flex items-center justify-between gap-2">
                  <span className="min-w-0 truncate text-sm font-medium">{task.title}</span>
                  <TaskStatusBadge status={task.status} />
                </span>
                <span className="truncate text-xs text-muted-foreground">
                  {(task.workspaceId === null ? undefined : workspaceNames.get(task.workspaceId)) ?? "Pool"} #{task.number} ·{" "}
                  {task.status === "RUNNING"
                    ? `running ${formatElapsed(task.startedAt, null, now)}`
                    : task.finishedAt
                      ? `finished ${formatRelative(task.finishedAt, now)}`
                      : `queued ${formatRelative(task.createdAt, now)}`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}

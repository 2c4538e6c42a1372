"use client";

import { useEffect, useRef } from "react";
import useSWR from "swr";
import useSWRInfinite from "swr/infinite";
import { fetcherFor } from "@/lib/api-client";
import type { Backend, TaskStatus } from "@/lib/enums";
import type { ReviewFilter } from "@/lib/review-status";
import { taskCountsSchema, taskListSchema, type TaskDto, type TaskSort } from "@/lib/schemas/task";
import { registerPagedList } from "./use-board-events";

export interface BoardFilters {
  backend: Backend | "";
  review: ReviewFilter | "";
  /** Sent to the server (title, prompt, model, #number). */
  q: string;
}

/** Each column's order: the queue as the scheduler dispatches it, the newest finish first. */
export const COLUMN_SORT: Record<TaskStatus, TaskSort> = { TODO: "queue", RUNNING: "started", DONE: "finished", FAILED: "finished" };
export const COLUMN_PAGE = 50;

function filterParams(workspaceId: number, filters: BoardFilters): URLSearchParams {
  const params = new URLSearchParams({ workspaceId: String(workspaceId) });
  if (filters.backend) params.set("backend", filters.backend);
  if (filters.review) params.set("review", filters.review);
  if (filters.q) params.set("q", filters.q);
  return params;
}

/** The true number of tasks per column, counted by the server with the same filters. */
export function useTaskCounts(workspaceId: number, filters: BoardFilters) {
  const { data, error } = useSWR(`/api/tasks/counts?${filterParams(workspaceId, filters)}`, fetcherFor(taskCountsSchema), {
    refreshInterval: 10_000,
    keepPreviousData: true,
  });
  return { counts: data?.counts, error };
}

/**
 * One column's tasks, a page at a time in the column's order (cursor pagination). Board events
 * refresh the loaded pages (registerPagedList); the 10 s refresh of the first page is the
 * fallback for when the event stream is down.
 */
export function useTaskColumn(workspaceId: number, status: TaskStatus, filters: BoardFilters) {
  const base = filterParams(workspaceId, filters);
  base.set("status", status);
  base.set("sort", COLUMN_SORT[status]);
  base.set("limit", String(COLUMN_PAGE));
  const prefix = `/api/tasks?${base}`;
  const { data, error, size, setSize, isValidating, mutate } = useSWRInfinite(
    (index: number, previous: { nextCursor: string | null } | null) => {
      if (index === 0) return prefix;
      if (!previous?.nextCursor) return null;
      return `${prefix}&cursor=${encodeURIComponent(previous.nextCursor)}`;
    },
    fetcherFor(taskListSchema),
    { refreshInterval: 10_000, keepPreviousData: true },
  );
  const keyRef = useRef(prefix);
  keyRef.current = prefix;
  const mutateRef = useRef(mutate);
  mutateRef.current = mutate;
  useEffect(() => registerPagedList(() => keyRef.current, () => void mutateRef.current()), []);

  const tasks = data ? uniqueById(data.flatMap((page) => page.items)) : undefined;
  const last = data?.[data.length - 1];
  const hasMore = Boolean(last?.nextCursor);
  const loadingMore = isValidating && size > (data?.length ?? 0);
  const loadMore = () => {
    if (hasMore && !loadingMore) void setSize(size + 1);
  };
  return { tasks, error, hasMore, loadingMore, loadMore };
}

/** A task that moved between two pages' fetches would show twice: keep its first place. */
function uniqueById(tasks: TaskDto[]): TaskDto[] {
  const seen = new Set<number>();
  return tasks.filter((task) => !seen.has(task.id) && Boolean(seen.add(task.id)));
}

"use client";

import { useEffect, useRef } from "react";
import useSWR from "swr";
import useSWRInfinite from "swr/infinite";
import { fetcherFor } from "@/lib/api-client";
import { boardKey, filterParams, type BoardFilters } from "@/lib/board-query";
import type { TaskStatus } from "@/lib/enums";
import { COLUMN_SORT, taskBoardSchema, taskListSchema, type TaskBoard, type TaskDto } from "@/lib/schemas/task";
import { registerPagedList } from "./use-board-events";

/** A page of one column: the board's first, or one after it. */
type TaskList = TaskBoard["columns"]["TODO"];

export const COLUMN_PAGE = 50;

/**
 * The board's first screen in one request: the true count of each column (counted by the server
 * with the same filters) and each column's first page. Five requests cost the server about twice
 * the work of this one (bench/README.md). Board events refresh it; the 10 s refresh is the
 * fallback for when the event stream is down.
 */
export function useTaskBoard(workspaceId: number, filters: BoardFilters) {
  const { data, error } = useSWR(boardKey(workspaceId, filters), fetcherFor(taskBoardSchema), {
    refreshInterval: 10_000,
    keepPreviousData: true,
  });
  return { board: data, error };
}

/**
 * One column's tasks: its first page from the board, the pages after it loaded as the user
 * scrolls, a page at a time in the column's order (cursor pagination, starting at the first
 * page's nextCursor). Board events refresh the loaded pages (registerPagedList).
 */
export function useTaskColumn(workspaceId: number, status: TaskStatus, filters: BoardFilters, first: TaskList | undefined) {
  const base = filterParams(workspaceId, filters);
  base.set("status", status);
  base.set("sort", COLUMN_SORT[status]);
  base.set("limit", String(COLUMN_PAGE));
  const prefix = `/api/tasks?${base}`;
  const after = (cursor: string | null | undefined) => (cursor ? `${prefix}&cursor=${encodeURIComponent(cursor)}` : null);
  const { data, error, size, setSize, isValidating, mutate } = useSWRInfinite(
    (index: number, previous: TaskList | null) => after(index === 0 ? first?.nextCursor : previous?.nextCursor),
    fetcherFor(taskListSchema),
    // No page after the first until the user asks; the count of loaded pages survives the first
    // page moving on (a task finished: its cursor changed).
    { initialSize: 0, persistSize: true, refreshInterval: 10_000, keepPreviousData: true },
  );
  const firstKey = after(first?.nextCursor);
  const keyRef = useRef(firstKey);
  keyRef.current = firstKey;
  const mutateRef = useRef(mutate);
  mutateRef.current = mutate;
  useEffect(() => registerPagedList(() => keyRef.current, () => void mutateRef.current()), []);

  const tasks = first ? uniqueById([...first.items, ...(data ?? []).flatMap((page) => page.items)]) : undefined;
  const last = data && data.length > 0 ? data[data.length - 1] : first;
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

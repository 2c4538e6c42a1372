"use client";

import useSWR from "swr";
import type { RunDto, TaskDto } from "@/lib/schemas/task";
import type { ListResponse } from "./use-workspaces";

export const taskKey = (id: number) => `/api/tasks/${id}`;
export const tasksKey = (workspaceId: number) => `/api/tasks?workspaceId=${workspaceId}&limit=500`;

export interface DiffFileDto {
  path: string;
  status: string;
  additions: number;
  deletions: number;
  oldPath?: string;
}

export interface TaskDiffDto {
  mergeBase: string;
  files: DiffFileDto[];
  patch: string;
  branch: string;
  baseBranch: string;
}

/** The board's tasks; the 10 s refresh is the fallback for when the event stream is down. */
export function useTasks(workspaceId: number | null) {
  const { data, error, isLoading, mutate } = useSWR<ListResponse<TaskDto>>(workspaceId ? tasksKey(workspaceId) : null, {
    refreshInterval: 10_000,
  });
  return { tasks: data?.items, error, isLoading, mutate };
}

export function useTask(id: number | null) {
  const { data, error, isLoading, mutate } = useSWR<TaskDto>(id ? taskKey(id) : null, { refreshInterval: 10_000 });
  return { task: data, error, isLoading, mutate };
}

export function useTaskRuns(id: number | null) {
  const { data, error, isLoading } = useSWR<ListResponse<RunDto>>(id ? `/api/tasks/${id}/runs` : null, { refreshInterval: 15_000 });
  return { runs: data?.items, error, isLoading };
}

export function useTaskDiff(id: number | null) {
  const { data, error, isLoading, isValidating, mutate } = useSWR<TaskDiffDto>(id ? `/api/tasks/${id}/diff` : null, {
    revalidateOnFocus: false,
  });
  return { diff: data, error, isLoading, isValidating, mutate };
}

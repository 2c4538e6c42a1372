"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { taskDiffSchema } from "@/lib/schemas/git";
import { runListSchema, taskListSchema, taskSchema } from "@/lib/schemas/task";
import { commentListSchema } from "@/lib/schemas/review";
import { isReadyToMerge } from "@/lib/review-status";

export const taskKey = (id: number) => `/api/tasks/${id}`;
export const tasksKey = (workspaceId: number) => `/api/tasks?workspaceId=${workspaceId}&limit=500`;

/** The board's tasks; the 10 s refresh is the fallback for when the event stream is down. */
export function useTasks(workspaceId: number | null) {
  const { data, error, isLoading, mutate } = useSWR(workspaceId ? tasksKey(workspaceId) : null, fetcherFor(taskListSchema), {
    refreshInterval: 10_000,
  });
  return { tasks: data?.items, error, isLoading, mutate };
}

export function useTask(id: number | null) {
  const { data, error, isLoading, mutate } = useSWR(id ? taskKey(id) : null, fetcherFor(taskSchema), { refreshInterval: 10_000 });
  return { task: data, error, isLoading, mutate };
}

export function useTaskRuns(id: number | null) {
  const { data, error, isLoading } = useSWR(id ? `/api/tasks/${id}/runs` : null, fetcherFor(runListSchema), { refreshInterval: 15_000 });
  return { runs: data?.items, error, isLoading };
}

export function useTaskDiff(id: number | null) {
  const { data, error, isLoading, isValidating, mutate } = useSWR(id ? `/api/tasks/${id}/diff` : null, fetcherFor(taskDiffSchema), {
    revalidateOnFocus: false,
  });
  return { diff: data, error, isLoading, isValidating, mutate };
}

/** Approved DONE tasks of every workspace that are not merged and whose checks do not fail. */
export function useReadyToMerge() {
  const { data, error } = useSWR("/api/tasks?status=DONE&reviewState=APPROVED&limit=500", fetcherFor(taskListSchema), { refreshInterval: 15_000 });
  return { ready: data?.items.filter(isReadyToMerge), error };
}

export const commentsKey = (taskId: number) => `/api/tasks/${taskId}/comments`;

export function useComments(taskId: number | null) {
  const { data, error, mutate } = useSWR(taskId ? commentsKey(taskId) : null, fetcherFor(commentListSchema), { refreshInterval: 15_000 });
  return { comments: data?.items, error, mutate };
}

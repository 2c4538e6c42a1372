"use client";

import { useCallback, useMemo, useState } from "react";
import { mutate } from "swr";
import { api, errorMessage } from "@/lib/api-client";
import type { ListResponse } from "@/lib/schemas/common";
import type { MergeKind } from "@/lib/schemas/git";
import { mergeOutcomeSchema, taskSchema, type TaskDto } from "@/lib/schemas/task";
import { refreshTaskLists } from "./use-board-events";
import { taskKey } from "./use-tasks";
import { toast } from "./use-toast";

export type TaskAction = "cancel" | "retry" | "continue" | "merge" | "delete";

const isTaskList = (key: unknown) => typeof key === "string" && key.startsWith("/api/tasks?");

/** Puts a task the server returned into every cached list and its own key, without a refetch. */
export function storeTask(task: TaskDto): void {
  void mutate(taskKey(task.id), task, { revalidate: false });
  void mutate<ListResponse<TaskDto>>(
    isTaskList,
    (list) => (list ? { ...list, items: list.items.map((item) => (item.id === task.id ? { ...item, ...task, usage: task.usage ?? item.usage } : item)) } : list),
    { revalidate: false },
  );
  void mutate("/api/workspaces");
  refreshTaskLists();
}

function forgetTask(id: number): void {
  void mutate<ListResponse<TaskDto>>(isTaskList, (list) => (list ? { ...list, items: list.items.filter((item) => item.id !== id) } : list), {
    revalidate: false,
  });
  void mutate("/api/workspaces");
  refreshTaskLists();
}

/** Tasks cancelled from this page: their finish needs no second announcement. */
export const cancelledHere = new Set<number>();

export const MERGE_KIND_LABELS: Record<MergeKind, string> = {
  "fast-forward": "Fast-forwarded",
  "merge-commit": "Merged with a merge commit",
  "up-to-date": "Already up to date",
};

/**
 * The task actions with their feedback: `pending` names the action under way (for a button
 * spinner), success and failure end in a toast with the API's message. Each action resolves
 * to the server's answer, or rejects after the error toast.
 */
export function useTaskActions(task: Pick<TaskDto, "id" | "number" | "title"> | undefined) {
  const [pending, setPending] = useState<TaskAction | null>(null);

  const run = useCallback(
    async <T>(action: TaskAction, work: () => Promise<T>, success: (result: T) => string | null): Promise<T> => {
      setPending(action);
      try {
        const result = await work();
        const message = success(result);
        if (message) toast.success(message);
        return result;
      } catch (error) {
        toast.error(`Could not ${action} task${task ? ` #${task.number}` : ""}`, errorMessage(error));
        throw error;
      } finally {
        setPending(null);
      }
    },
    [task],
  );

  const actions = useMemo(() => {
    if (!task) return null;
    const path = `/api/tasks/${task.id}`;
    return {
      cancel: () => {
        cancelledHere.add(task.id);
        return run("cancel", () => api.post(`${path}/cancel`, taskSchema), (result) => {
          storeTask(result);
          return `Task #${task.number} cancelled`;
        }).catch((error: unknown) => {
          cancelledHere.delete(task.id);
          throw error;
        });
      },
      retry: () =>
        run("retry", () => api.post(`${path}/retry`, taskSchema), (result) => {
          storeTask(result);
          return `Task #${task.number} queued again`;
        }),
      continueWith: (prompt: string) =>
        run("continue", () => api.post(`${path}/continue`, taskSchema, { prompt }), (result) => {
          storeTask(result);
          return `Follow-up queued for task #${task.number}`;
        }),
      merge: (deleteBranch: boolean) =>
        run("merge", () => api.post(`${path}/merge`, mergeOutcomeSchema, { deleteBranch }), (result) => {
          storeTask(result.task);
          void mutate(`${path}/diff`);
          return `${MERGE_KIND_LABELS[result.merge.kind]}: task #${task.number}`;
        }),
      remove: (deleteBranch: boolean) =>
        run("delete", () => api.delete(`${path}${deleteBranch ? "?deleteBranch=true" : ""}`), () => {
          forgetTask(task.id);
          return `Task #${task.number} deleted`;
        }),
    };
  }, [task, run]);

  return { pending, actions };
}

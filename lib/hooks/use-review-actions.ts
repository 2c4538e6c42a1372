"use client";

import { useState } from "react";
import { mutate } from "swr";
import { api, errorMessage } from "@/lib/api-client";
import { commentSchema, type CommentDto } from "@/lib/schemas/review";
import { taskSchema } from "@/lib/schemas/task";
import { storeTask } from "./use-task-actions";
import { commentsKey } from "./use-tasks";
import { toast } from "./use-toast";

export type ReviewAction = "comment" | "resolve" | "request-changes" | "approve";

/** Comments, "request changes" and "approve" on a task's diff; errors are toasted and rethrown. */
export function useReviewActions(taskId: number) {
  const [pending, setPending] = useState<ReviewAction | null>(null);
  async function run<T>(action: ReviewAction, body: () => Promise<T>): Promise<T> {
    setPending(action);
    try {
      return await body();
    } catch (error) {
      toast({ variant: "error", title: "That did not work", description: errorMessage(error) });
      throw error;
    } finally {
      setPending(null);
      void mutate(commentsKey(taskId));
    }
  }
  return {
    pending,
    comment: (input: { file: string | null; startLine?: number; endLine?: number; side?: "new" | "old"; body: string }) =>
      run("comment", () => api.post(`/api/tasks/${taskId}/comments`, commentSchema, input)),
    setResolved: (comment: CommentDto, resolved: boolean) => run("resolve", () => api.patch(`/api/comments/${comment.id}`, commentSchema, { resolved })),
    requestChanges: () =>
      run("request-changes", async () => {
        const task = await api.post(`/api/tasks/${taskId}/request-changes`, taskSchema);
        storeTask(task);
        toast({ variant: "success", title: "Changes requested", description: "The open comments went to the agent as one follow-up." });
        return task;
      }),
    approve: () =>
      run("approve", async () => {
        const task = await api.post(`/api/tasks/${taskId}/approve`, taskSchema);
        storeTask(task);
        return task;
      }),
  };
}

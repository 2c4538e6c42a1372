import { z } from "zod";
import { MERGE_QUEUE_STATES, MERGE_QUEUE_STEPS } from "../enums";

/** POST /api/tasks/:id/merge-queue */
export const mergeQueueEnqueueSchema = z
  .object({
    /** Delete the task branch once it landed. The worktree goes in any case: changes not committed in it are stashed in the repository first. */
    deleteBranch: z.boolean().optional(),
  })
  .strict();

/** PUT /api/workspaces/:id/merge-queue: these tasks first, in this order. */
export const mergeQueueReorderSchema = z.object({ taskIds: z.array(z.number().int().positive()).min(1).max(1000) }).strict();

export const mergeQueueEntrySchema = z.object({
  taskId: z.number(),
  /** 1 lands next; null once out of the queue. */
  position: z.number().nullable(),
  state: z.enum(MERGE_QUEUE_STATES),
  step: z.enum(MERGE_QUEUE_STEPS),
  /** Why it left the queue: the conflicted files, the check's output, a refused base. */
  reason: z.string().nullable(),
  /** The files of the conflict being resolved, or of the one that made it leave. */
  conflictFiles: z.array(z.string()),
  /** The base commit the branch was brought up to date with. */
  baseSha: z.string().nullable(),
  /** The base's commit once the task landed. */
  landedSha: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type MergeQueueEntryDto = z.infer<typeof mergeQueueEntrySchema>;

/** GET /api/workspaces/:id/merge-queue: the order and each entry's step, then the latest that left or landed. */
export const mergeQueueSchema = z.object({
  workspaceId: z.number(),
  order: z.array(mergeQueueEntrySchema),
  history: z.array(mergeQueueEntrySchema),
});
export type MergeQueueDto = z.infer<typeof mergeQueueSchema>;

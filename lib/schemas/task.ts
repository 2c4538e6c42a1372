import { z } from "zod";
import { BACKENDS, COST_SOURCES, ERROR_CLASSES, RUN_KINDS, RUN_STATUSES, TASK_STATUSES } from "../enums";
import { MODEL_NAME_PATTERN } from "../models";
import { idSchema, promptSchema } from "./common";

const modelSchema = z.string().trim().regex(MODEL_NAME_PATTERN, "Not a valid model name.");
const titleSchema = z.string().trim().min(1).max(200);

export const taskCreateSchema = z
  .object({
    prompt: promptSchema,
    workspaceId: z.number().int().positive(),
    backend: z.enum(BACKENDS),
    title: titleSchema.optional(),
    model: modelSchema.optional(),
    permissionMode: z.string().optional(),
  })
  // The backend's permission modes are its adapter's: checked by the server (server/tasks/service.ts).
  .strict();
export type TaskCreateInput = z.infer<typeof taskCreateSchema>;

/** Only a TODO task can be edited, and only these fields. */
export const taskUpdateSchema = z
  .object({ title: titleSchema, prompt: promptSchema, model: modelSchema })
  .partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, "Nothing to change: give title, prompt or model.");
export type TaskUpdateInput = z.infer<typeof taskUpdateSchema>;

export const taskListQuerySchema = z
  .object({
    workspaceId: idSchema.optional(),
    status: z.enum(TASK_STATUSES).optional(),
    q: z.string().trim().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d+$/, "Not a valid cursor.").optional(),
  })
  .strict();

export const taskContinueSchema = z.object({ prompt: promptSchema }).strict();

export const taskDeleteQuerySchema = z
  .object({ deleteBranch: z.enum(["true", "false"]).optional() })
  .strict();

export const taskMergeSchema = z.object({ deleteBranch: z.boolean().optional() }).strict();

export const promptHistoryEntrySchema = z.object({
  prompt: z.string(),
  at: z.string(),
  kind: z.enum(RUN_KINDS),
});
export type PromptHistoryEntry = z.infer<typeof promptHistoryEntrySchema>;

export const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  costUsd: z.number(),
});

export const taskSchema = z.object({
  id: z.number(),
  number: z.number(),
  title: z.string(),
  prompt: z.string(),
  workspaceId: z.number(),
  backend: z.enum(BACKENDS),
  model: z.string(),
  permissionMode: z.string(),
  status: z.enum(TASK_STATUSES),
  failureReason: z.string().nullable(),
  waitingReason: z.string().nullable(),
  branch: z.string().nullable(),
  worktreePath: z.string().nullable(),
  promptHistory: z.array(promptHistoryEntrySchema),
  currentRunId: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  mergedAt: z.string().nullable(),
  usage: usageSchema.optional(),
});
export type TaskDto = z.infer<typeof taskSchema>;

export const runSchema = z.object({
  id: z.number(),
  taskId: z.number(),
  kind: z.enum(RUN_KINDS),
  backend: z.enum(BACKENDS),
  model: z.string(),
  prompt: z.string(),
  sessionId: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  exitCode: z.number().nullable(),
  errorClass: z.enum(ERROR_CLASSES).nullable(),
  errorMessage: z.string().nullable(),
  tmuxSession: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  usage: usageSchema,
  /** Where `usage.costUsd` comes from: the CLI, or the price table (an estimate); null when unknown. */
  costSource: z.enum(COST_SOURCES).nullable(),
});
export type RunDto = z.infer<typeof runSchema>;

import { z } from "zod";
import { BACKENDS, type Backend, CHECK_STATES, COMMENT_AUTHORS, COST_SOURCES, DEPENDENCY_MODES, ERROR_CLASSES, MERGE_QUEUE_STEPS, PULL_REQUEST_STATES, REVIEW_STATES, RUN_KINDS, RUN_STATUSES, TASK_STATUSES } from "../enums";
import { MODEL_NAME_PATTERN } from "../models";
import { idSchema, listSchema, promptSchema } from "./common";
import { mergeResultSchema } from "./git";
import { runCheckSchema, runReviewSchema } from "./review";
import { usageFiguresSchema } from "./usage";

const modelSchema = z.string().trim().regex(MODEL_NAME_PATTERN, "Not a valid model name.");
const titleSchema = z.string().trim().min(1).max(200);
const dependsOnSchema = z.array(z.number().int().positive()).max(20);

export const taskCreateSchema = z
  .object({
    prompt: promptSchema,
    /** The workspace to run in; or `poolId`: exactly one of the two (else 422). */
    workspaceId: z.number().int().positive("Choose a workspace.").optional(),
    /** A pool: the scheduler places the task on a member with a free slot and the most room. */
    poolId: z.number().int().positive().optional(),
    backend: z.enum(BACKENDS),
    title: titleSchema.optional(),
    model: modelSchema.optional(),
    permissionMode: z.string().optional(),
    /** The reviewer; absent: the workspace's; null: no review. */
    reviewBackend: z.enum(BACKENDS).nullable().optional(),
    reviewModel: modelSchema.optional(),
    /** Tasks of the same workspace to wait for before the first run. */
    dependsOn: dependsOnSchema.optional(),
    dependencyMode: z.enum(DEPENDENCY_MODES).optional(),
    /** The backend a run may use when every account of the task's provider is held; null or absent: none. */
    fallbackBackend: z.enum(BACKENDS).nullable().optional(),
    /** GPUs the task needs; they are given as CUDA_VISIBLE_DEVICES when free (default 0). */
    gpus: z.number().int().min(0).max(16).optional(),
  })
  // The backend's permission modes are its adapter's: checked by the server (server/tasks/service.ts).
  .strict()
  .refine((task) => !task.fallbackBackend || task.fallbackBackend !== task.backend, { message: "The fallback backend must differ from the task's backend.", path: ["fallbackBackend"] });
export type TaskCreateInput = z.infer<typeof taskCreateSchema>;

/** The model select's entry for a name typed in by hand (`customModel`). */
export const OTHER_MODEL = "__other__";
/** The reviewer select's entries besides the backends. */
export const WORKSPACE_REVIEWER = "";
export const NO_REVIEWER = "none";

/**
 * The new-task form: its fields as the form holds them, turned into the request body and
 * checked with taskCreateSchema itself, so the browser and the API refuse the same input (a
 * backend's permission modes are its adapter's: the server checks those). An empty model or
 * permission mode (the list of models has not loaded yet) is left out: the server's default applies.
 */
export const taskFormSchema = z
  .object({
    workspaceId: z.number(),
    /** A pool instead of the workspace (0 or absent: the workspace). */
    poolId: z.number().optional(),
    title: z.string(),
    backend: z.enum(BACKENDS),
    model: z.string(),
    customModel: z.string(),
    permissionMode: z.string(),
    prompt: z.string(),
    /** WORKSPACE_REVIEWER: the workspace's; NO_REVIEWER: none; else a backend. */
    reviewer: z.string(),
    reviewModel: z.string(),
    /** Ids of the tasks to wait for (a multiple select's values). */
    parents: z.array(z.string()),
    dependencyMode: z.enum(DEPENDENCY_MODES),
    /** "": no fallback; else a backend. */
    fallbackBackend: z.string().optional(),
    /** GPUs as typed ("" or "0": none). */
    gpus: z.string().optional(),
  })
  .transform(({ workspaceId, poolId, title, model, customModel, permissionMode, reviewer, reviewModel, parents, dependencyMode, fallbackBackend, gpus, ...rest }): z.input<typeof taskCreateSchema> => ({
    ...rest,
    ...(poolId ? { poolId } : { workspaceId }),
    ...(parents.length > 0 ? { dependsOn: parents.map(Number), dependencyMode } : {}),
    ...(fallbackBackend ? { fallbackBackend: fallbackBackend as Backend } : {}),
    ...(gpus?.trim() && gpus.trim() !== "0" ? { gpus: Number(gpus.trim()) } : {}),
    ...(model === OTHER_MODEL ? { model: customModel.trim() } : model ? { model } : {}),
    ...(permissionMode ? { permissionMode } : {}),
    ...(title.trim() ? { title: title.trim() } : {}),
    ...(reviewer === NO_REVIEWER ? { reviewBackend: null } : reviewer !== WORKSPACE_REVIEWER ? { reviewBackend: reviewer as Backend } : {}),
    ...(reviewer !== NO_REVIEWER && reviewer !== WORKSPACE_REVIEWER && reviewModel.trim() ? { reviewModel: reviewModel.trim() } : {}),
  }))
  .pipe(taskCreateSchema);
export type TaskFormValues = z.input<typeof taskFormSchema>;

/** Only a TODO task can be edited, and only these fields. */
export const taskUpdateSchema = z
  .object({ title: titleSchema, prompt: promptSchema, model: modelSchema, dependsOn: dependsOnSchema, dependencyMode: z.enum(DEPENDENCY_MODES) })
  .partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, "Nothing to change: give title, prompt, model, dependsOn or dependencyMode.");
export type TaskUpdateInput = z.infer<typeof taskUpdateSchema>;

/** The board's review filters (lib/review-status.ts has their meaning, server/tasks/filters.ts the query). */
export const TASK_REVIEW_FILTERS = ["needs-review", "approved", "checks-failing"] as const;

/**
 * The orders a task list comes in: `newest` (id desc, the default), `queue` (the scheduler's
 * dispatch order: queuedAt asc, id asc), `started` (startedAt asc), `finished` (finishedAt desc).
 */
export const TASK_SORTS = ["newest", "queue", "started", "finished"] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

/** The filters a list and the board's counts share. */
const taskFilterFields = {
  workspaceId: idSchema.optional(),
  backend: z.enum(BACKENDS).optional(),
  review: z.enum(TASK_REVIEW_FILTERS).optional(),
  /** Title, prompt or model contains it (any case), or `#12` / `12`: the task's number. */
  q: z.string().trim().max(200).optional(),
};

export const taskListQuerySchema = z
  .object({
    ...taskFilterFields,
    /** Only the subtasks of this task. */
    parentTaskId: idSchema.optional(),
    status: z.enum(TASK_STATUSES).optional(),
    checkState: z.enum(CHECK_STATES).optional(),
    reviewState: z.enum(REVIEW_STATES).optional(),
    sort: z.enum(TASK_SORTS).default("newest"),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    // `newest`: an id (at most 15 digits, so it fits the database's integers); the other orders:
    // the nextCursor a page gave, `<epoch ms or n (null)>_<id>`.
    cursor: z.string().regex(/^(?:\d{1,15}|(?:\d{1,15}|n)_\d{1,15})$/, "Not a valid cursor.").optional(),
  })
  .strict();
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

/** GET /api/tasks/counts: the same filters as the list, counted per status. */
export const taskCountsQuerySchema = z.object(taskFilterFields).strict();
export type TaskCountsQuery = z.infer<typeof taskCountsQuerySchema>;

/** GET /api/tasks/counts: how many tasks each board column holds, counted by the server. */
export const taskCountsSchema = z.object({
  counts: z.object(Object.fromEntries(TASK_STATUSES.map((status) => [status, z.number().int().nonnegative()])) as Record<(typeof TASK_STATUSES)[number], z.ZodNumber>),
  total: z.number().int().nonnegative(),
});
export type TaskCounts = z.infer<typeof taskCountsSchema>;

/** Each board column's order: the queue as the scheduler dispatches it, the newest finish first. */
export const COLUMN_SORT: Record<(typeof TASK_STATUSES)[number], TaskSort> = { TODO: "queue", RUNNING: "started", DONE: "finished", FAILED: "finished" };

/** GET /api/tasks/board: the board's filters, and how many tasks each column's first page holds. */
export const taskBoardQuerySchema = z
  .object({ ...taskFilterFields, limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
export type TaskBoardQuery = z.infer<typeof taskBoardQuerySchema>;

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

export const taskSchema = z.object({
  id: z.number(),
  number: z.number(),
  title: z.string(),
  prompt: z.string(),
  /** The workspace it runs in; null while a pool task waits to be placed. */
  workspaceId: z.number().nullable(),
  /** The pool it was created for (the scheduler places it on a member); null: created for a workspace. */
  poolId: z.number().nullable(),
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
  reviewBackend: z.enum(BACKENDS).nullable(),
  reviewModel: z.string().nullable(),
  /** The checks of the latest work run. */
  checkState: z.enum(CHECK_STATES),
  reviewState: z.enum(REVIEW_STATES),
  /** Who set reviewState last: the AI reviewer or a person. */
  reviewedBy: z.enum(COMMENT_AUTHORS).nullable(),
  /** The tool calls the agent's CLI denied in the latest work run: a warning. */
  permissionDenials: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  mergedAt: z.string().nullable(),
  /** The task whose agent created this one through the MCP server (a subtask). */
  parentTaskId: z.number().nullable(),
  /** The tasks it waits for before its first run (same workspace). */
  dependsOn: z.array(z.number()),
  dependencyMode: z.enum(DEPENDENCY_MODES),
  /** Other open tasks of the workspace whose branches change some of the same files. */
  overlaps: z.array(z.object({ taskId: z.number(), files: z.array(z.string()) })),
  /** The pull request (GitHub) or merge request (GitLab) of its branch, as last refreshed. */
  pullRequest: z.object({ url: z.string(), state: z.enum(PULL_REQUEST_STATES) }).nullable(),
  /** Its place in the workspace's merge queue: 1 lands next. Null when not queued. */
  mergeQueue: z.object({ position: z.number(), step: z.enum(MERGE_QUEUE_STEPS), reason: z.string().nullable() }).nullable(),
  /** The provider account its agent runs under (server/accounts); null: the implicit default or not yet chosen. */
  accountId: z.number().nullable(),
  /** The backend a run may fall back to when every account of the task's provider is held. */
  fallbackBackend: z.enum(BACKENDS).nullable(),
  /** GPUs the task asks for. */
  gpus: z.number(),
  /** Read-only: the GPU indices its current or last run was given. */
  gpuIndices: z.array(z.number()),
  usage: usageFiguresSchema.optional(),
});
export type TaskDto = z.infer<typeof taskSchema>;

/** GET /api/tasks */
export const taskListSchema = listSchema(taskSchema);

/**
 * GET /api/tasks/board: what the board shows first, in one answer: the counts per column and each
 * column's first page in its order (COLUMN_SORT); a column's next pages come from GET /api/tasks
 * with its nextCursor.
 */
export const taskBoardSchema = taskCountsSchema.extend({
  columns: z.object(Object.fromEntries(TASK_STATUSES.map((status) => [status, taskListSchema])) as Record<(typeof TASK_STATUSES)[number], typeof taskListSchema>),
});
export type TaskBoard = z.infer<typeof taskBoardSchema>;

/**
 * POST /api/tasks/chain: several tasks of one workspace in one request. Each waits for the items
 * listed in `after` (indexes of earlier items of the same request); without `after`, for the item
 * before it, so a plain list is a chain. `dependsOn` may add tasks that already exist.
 */
export const taskChainSchema = z
  .object({
    tasks: z.array(taskCreateSchema.and(z.object({ after: z.array(z.number().int().min(0)).max(20).optional() }))).min(1).max(50),
  })
  .strict();
export const taskChainResultSchema = z.object({ items: z.array(taskSchema) });

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
  /** The agent's pid on its machine, once launched. */
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  usage: usageFiguresSchema,
  /** Where `usage.costUsd` comes from: the CLI, or the price table (an estimate); null when unknown. */
  costSource: z.enum(COST_SOURCES).nullable(),
  /** The check after a work run; null when none ran. */
  check: runCheckSchema.nullable(),
  /** A review run's answer; null on other runs and while the review runs. */
  review: runReviewSchema.nullable(),
  permissionDenials: z.array(z.string()),
  /** The provider account the run used; null: the implicit default. */
  accountId: z.number().nullable(),
});
export type RunDto = z.infer<typeof runSchema>;

/** GET /api/tasks/:id/runs */
export const runListSchema = listSchema(runSchema);

/** POST /api/tasks/:id/merge: the task after the merge, and what git did. */
export const mergeOutcomeSchema = z.object({
  task: taskSchema,
  merge: mergeResultSchema,
  /** Paths whose changes, not committed in the task's worktree, were stashed in the repository before it was removed. */
  stashed: z.array(z.string()),
});
export type MergeOutcome = z.infer<typeof mergeOutcomeSchema>;

/** POST /api/tasks/:id/push */
export const taskPushResultSchema = z.object({ remote: z.string(), branch: z.string(), sha: z.string() });
export type TaskPushResult = z.infer<typeof taskPushResultSchema>;

import { z } from "zod";

/** Tokens and cost of a run, a task or a group of runs. */
export const usageFiguresSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  costUsd: z.number(),
});
export type UsageFigures = z.infer<typeof usageFiguresSchema>;

/** Figures of a group of runs (the usage report's rows). */
export const usageFiguresWithRunsSchema = usageFiguresSchema.extend({
  /** The part of costUsd estimated from the price table (runs of CLIs that report no cost). */
  estimatedCostUsd: z.number(),
  runs: z.number(),
});
export type UsageFiguresRow = z.infer<typeof usageFiguresWithRunsSchema>;

export const usageGroupSchema = usageFiguresWithRunsSchema.extend({ key: z.string(), name: z.string().optional() });
export type UsageGroup = z.infer<typeof usageGroupSchema>;

/** A DONE task not merged this many days after it finished counts as abandoned (as does one whose pull request was closed). */
export const ABANDONED_AFTER_DAYS = 7;

/** Tasks of one outcome and what their runs in the period cost. */
export const taskSpendSchema = z.object({ tasks: z.number(), costUsd: z.number() });
export type TaskSpend = z.infer<typeof taskSpendSchema>;

/**
 * What landed for the money: per model (the task's) or workspace, the tasks merged and those
 * never merged, split by why: failed (FAILED), deleted (deleted before merging; their runs' usage
 * is kept), abandoned (DONE but not merged ABANDONED_AFTER_DAYS days after finishing, or its pull
 * request closed). DONE tasks more recent than that are awaiting merge, in neither.
 */
export const landedGroupSchema = z.object({
  key: z.string(),
  name: z.string().optional(),
  mergedTasks: z.number(),
  mergedCostUsd: z.number(),
  /** mergedCostUsd / mergedTasks; null without merged tasks. */
  costPerMergedTask: z.number().nullable(),
  /** failed + deleted + abandoned. */
  neverMergedTasks: z.number(),
  neverMergedCostUsd: z.number(),
  neverMerged: z.object({ failed: taskSpendSchema, deleted: taskSpendSchema, abandoned: taskSpendSchema }),
  /** DONE, not merged, finished less than ABANDONED_AFTER_DAYS days ago. */
  awaitingMerge: taskSpendSchema,
});
export type LandedGroup = z.infer<typeof landedGroupSchema>;

export const landedCostSchema = z.object({
  totals: landedGroupSchema,
  byModel: z.array(landedGroupSchema),
  byWorkspace: z.array(landedGroupSchema),
});
export type LandedCost = z.infer<typeof landedCostSchema>;

/**
 * GET /api/usage?days=N: totals since `since`, and per backend, model, workspace (id as key) and
 * UTC day. Runs of deleted tasks (and workspaces) count: deleting a task changes no figure.
 */
export const usageReportSchema = z.object({
  days: z.number(),
  since: z.string(),
  totals: usageFiguresWithRunsSchema,
  byBackend: z.array(usageGroupSchema),
  byModel: z.array(usageGroupSchema),
  byWorkspace: z.array(usageGroupSchema),
  byDay: z.array(usageGroupSchema),
  /** The cost of runs in the period (deleted tasks' included) on tasks that merged, and on tasks that never did. */
  landed: landedCostSchema,
});
export type UsageReport = z.infer<typeof usageReportSchema>;

export const usageQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(366).default(7) }).strict();

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

/** What landed for the money: per model (the task's) or workspace, tasks merged and never merged. */
export const landedGroupSchema = z.object({
  key: z.string(),
  name: z.string().optional(),
  mergedTasks: z.number(),
  mergedCostUsd: z.number(),
  /** mergedCostUsd / mergedTasks; null without merged tasks. */
  costPerMergedTask: z.number().nullable(),
  /** Finished tasks (DONE or FAILED) that were not merged. */
  neverMergedTasks: z.number(),
  neverMergedCostUsd: z.number(),
});
export type LandedGroup = z.infer<typeof landedGroupSchema>;

export const landedCostSchema = z.object({
  totals: landedGroupSchema,
  byModel: z.array(landedGroupSchema),
  byWorkspace: z.array(landedGroupSchema),
});
export type LandedCost = z.infer<typeof landedCostSchema>;

/** GET /api/usage?days=N: totals since `since`, and per backend, model, workspace (id as key) and UTC day. */
export const usageReportSchema = z.object({
  days: z.number(),
  since: z.string(),
  totals: usageFiguresWithRunsSchema,
  byBackend: z.array(usageGroupSchema),
  byModel: z.array(usageGroupSchema),
  byWorkspace: z.array(usageGroupSchema),
  byDay: z.array(usageGroupSchema),
  /** The cost of runs in the period on tasks that merged, and on finished tasks that never did. */
  landed: landedCostSchema,
});
export type UsageReport = z.infer<typeof usageReportSchema>;

export const usageQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(366).default(7) }).strict();

import { z } from "zod";

export const DIFF_FILE_STATUSES = ["added", "modified", "deleted", "renamed"] as const;
export type DiffFileStatus = (typeof DIFF_FILE_STATUSES)[number];

export const diffFileSchema = z.object({
  path: z.string(),
  status: z.enum(DIFF_FILE_STATUSES),
  /** Null for a binary file. */
  additions: z.number().nullable(),
  deletions: z.number().nullable(),
  /** The path before a rename. */
  oldPath: z.string().optional(),
  /** Its patch was cut or left out by the 20 MB cap. */
  truncated: z.literal(true).optional(),
});
export type DiffFile = z.infer<typeof diffFileSchema>;

export const branchDiffSchema = z.object({
  mergeBase: z.string(),
  files: z.array(diffFileSchema),
  /** Unified patch with a/ and b/ prefixes, paths unquoted; at most 20 MB, cut with markers. */
  patch: z.string(),
  /** True when the patch was over 20 MB and was cut. */
  truncated: z.boolean(),
});
export type BranchDiff = z.infer<typeof branchDiffSchema>;

/** GET /api/tasks/:id/diff */
export const taskDiffSchema = branchDiffSchema.extend({ branch: z.string(), baseBranch: z.string() });
export type TaskDiff = z.infer<typeof taskDiffSchema>;

export const MERGE_KINDS = ["fast-forward", "merge-commit", "up-to-date"] as const;
export type MergeKind = (typeof MERGE_KINDS)[number];

export const mergeResultSchema = z.object({
  kind: z.enum(MERGE_KINDS),
  /** HEAD of the base branch after the merge. */
  head: z.string(),
});
export type MergeResult = z.infer<typeof mergeResultSchema>;

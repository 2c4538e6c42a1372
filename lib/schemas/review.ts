import { z } from "zod";
import { COMMENT_AUTHORS, COMMENT_SIDES, FINDING_SEVERITIES, REVIEW_VERDICTS, RUN_CHECK_STATES } from "../enums";
import { listSchema } from "./common";

/** One finding of the AI reviewer, at a line of a file of the diff. */
export const reviewFindingSchema = z.object({
  file: z.string().trim().min(1).max(1000),
  line: z.number().int().positive().nullable().optional(),
  severity: z.enum(FINDING_SEVERITIES),
  comment: z.string().trim().min(1).max(10_000),
});
export type ReviewFinding = z.infer<typeof reviewFindingSchema>;

/** What the reviewer is asked to answer with, exactly: anything else makes the review ERROR. */
export const reviewAnswerSchema = z.object({
  verdict: z.enum(REVIEW_VERDICTS),
  summary: z.string().max(20_000),
  findings: z.array(reviewFindingSchema).max(200),
});
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;

/**
 * reviewAnswerSchema as a JSON Schema for the CLIs' structured output. Written in the strict
 * form providers require (every property required, no others): a finding without a line has
 * line null.
 */
export const REVIEW_ANSWER_JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["verdict", "summary", "findings"],
  properties: {
    verdict: { type: "string", enum: [...REVIEW_VERDICTS] },
    summary: { type: "string" },
    findings: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "line", "severity", "comment"],
        properties: {
          file: { type: "string" },
          line: { type: ["integer", "null"] },
          severity: { type: "string", enum: [...FINDING_SEVERITIES] },
          comment: { type: "string" },
        },
      },
    },
  },
} as const;

/** The check after a work run, on the run. */
export const runCheckSchema = z.object({
  state: z.enum(RUN_CHECK_STATES),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  outputTail: z.string(),
});
export type RunCheck = z.infer<typeof runCheckSchema>;

/** A review run's answer on the run; verdict null when the answer did not parse (the raw text kept). */
export const runReviewSchema = z.object({
  verdict: z.enum(REVIEW_VERDICTS).nullable(),
  summary: z.string().nullable(),
  findings: z.array(reviewFindingSchema),
  raw: z.string().nullable(),
});
export type RunReview = z.infer<typeof runReviewSchema>;

const MAX_COMMENT_BYTES = 20 * 1024;
const bodySchema = z
  .string()
  .refine((value) => value.trim().length > 0, "The comment is empty.")
  .refine((value) => new TextEncoder().encode(value).length <= MAX_COMMENT_BYTES, `The comment is over ${MAX_COMMENT_BYTES / 1024} KB.`);
const lineSchema = z.number().int().positive().max(10_000_000);

/** POST /api/tasks/:id/comments: a comment on lines of a file of the diff, or a general note (file null). */
export const commentCreateSchema = z
  .object({
    file: z.string().trim().min(1).max(1000).refine((value) => !value.includes("\0"), "Must not contain NUL.").nullable(),
    startLine: lineSchema.nullish(),
    endLine: lineSchema.nullish(),
    side: z.enum(COMMENT_SIDES).default("new"),
    body: bodySchema,
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.file === null) {
      if (value.startLine != null || value.endLine != null) ctx.addIssue({ code: "custom", path: ["startLine"], message: "A general note (file null) has no lines." });
      return;
    }
    if (value.startLine == null) ctx.addIssue({ code: "custom", path: ["startLine"], message: "A comment on a file needs startLine." });
    if (value.startLine != null && value.endLine != null && value.endLine < value.startLine) {
      ctx.addIssue({ code: "custom", path: ["endLine"], message: "endLine is before startLine." });
    }
  });
export type CommentCreateInput = z.infer<typeof commentCreateSchema>;

/** PATCH /api/comments/:id */
export const commentPatchSchema = z.object({ resolved: z.boolean() }).strict();

export const commentSchema = z.object({
  id: z.number(),
  taskId: z.number(),
  runId: z.number().nullable(),
  file: z.string().nullable(),
  startLine: z.number().nullable(),
  endLine: z.number().nullable(),
  side: z.enum(COMMENT_SIDES),
  author: z.enum(COMMENT_AUTHORS),
  severity: z.enum(FINDING_SEVERITIES).nullable(),
  body: z.string(),
  resolved: z.boolean(),
  /** When "request changes" (or a review round) sent it to the agent; null while open and unsent. */
  sentAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Where the commented lines are in the task's current diff: moved lines are found again by their text. */
  position: z.object({ startLine: z.number().nullable(), endLine: z.number().nullable(), outdated: z.boolean() }),
});
export type CommentDto = z.infer<typeof commentSchema>;

/** GET /api/tasks/:id/comments */
export const commentListSchema = listSchema(commentSchema);

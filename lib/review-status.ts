import type { TaskDto } from "./schemas/task";

type Verified = Pick<TaskDto, "status" | "mergedAt" | "checkState" | "reviewState" | "reviewedBy">;

/** The board's review filters. */
export const REVIEW_FILTERS = {
  "needs-review": "Needs my review",
  approved: "Approved",
  "checks-failing": "Checks failing",
} as const;
export type ReviewFilter = keyof typeof REVIEW_FILTERS;

/** Approved (by the reviewer or a person), checks not failing, not merged yet. */
export function isReadyToMerge(task: Verified): boolean {
  return task.status === "DONE" && !task.mergedAt && task.reviewState === "APPROVED" && task.checkState !== "FAILED";
}

/** DONE work nobody approved yet: a person has to look. */
export function needsReview(task: Verified): boolean {
  return task.status === "DONE" && !task.mergedAt && task.reviewState !== "APPROVED";
}

export function matchesReviewFilter(task: Verified, filter: ReviewFilter | ""): boolean {
  if (filter === "needs-review") return needsReview(task);
  if (filter === "approved") return task.reviewState === "APPROVED" && !task.mergedAt;
  if (filter === "checks-failing") return task.checkState === "FAILED";
  return true;
}

/**
 * Why a finished task waits for a person, if it does: its checks still fail after the last fix
 * round, the reviewer still requests changes after the last round, or the review failed.
 */
export function needsPersonReason(task: Verified): string | null {
  if (task.status !== "DONE" || task.mergedAt) return null;
  if (task.checkState === "FAILED") return "its checks still fail after the last fix round";
  if (task.reviewState === "CHANGES_REQUESTED" && task.reviewedBy === "agent") return "the reviewer still requests changes after the last round";
  if (task.reviewState === "ERROR") return "its review failed";
  return null;
}

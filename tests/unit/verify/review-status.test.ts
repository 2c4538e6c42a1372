import { describe, expect, it } from "vitest";
import { isReadyToMerge, matchesReviewFilter, needsPersonReason, needsReview } from "@/lib/review-status";

const task = (fields: Record<string, unknown> = {}) =>
  ({ status: "DONE", mergedAt: null, checkState: "PASSED", reviewState: "APPROVED", reviewedBy: "agent", ...fields }) as Parameters<typeof isReadyToMerge>[0];

describe("review status on the board", () => {
  it("ready to merge: DONE, approved, checks not failing, not merged", () => {
    expect(isReadyToMerge(task())).toBe(true);
    expect(isReadyToMerge(task({ checkState: "NONE" }))).toBe(true);
    expect(isReadyToMerge(task({ checkState: "FAILED" }))).toBe(false);
    expect(isReadyToMerge(task({ reviewState: "NONE" }))).toBe(false);
    expect(isReadyToMerge(task({ mergedAt: "2026-11-30T00:00:00Z" }))).toBe(false);
    expect(isReadyToMerge(task({ status: "RUNNING" }))).toBe(false);
  });

  it("filters: needs my review, approved, checks failing", () => {
    expect(needsReview(task({ reviewState: "CHANGES_REQUESTED" }))).toBe(true);
    expect(needsReview(task())).toBe(false);
    expect(matchesReviewFilter(task({ reviewState: "ERROR" }), "needs-review")).toBe(true);
    expect(matchesReviewFilter(task(), "approved")).toBe(true);
    expect(matchesReviewFilter(task({ checkState: "FAILED" }), "checks-failing")).toBe(true);
    expect(matchesReviewFilter(task({ status: "TODO" }), "")).toBe(true);
  });

  it("a person is needed when checks or the reviewer gave up, or the review failed, not when a person asked for changes", () => {
    expect(needsPersonReason(task({ checkState: "FAILED" }))).toContain("checks");
    expect(needsPersonReason(task({ reviewState: "CHANGES_REQUESTED" }))).toContain("reviewer");
    expect(needsPersonReason(task({ reviewState: "CHANGES_REQUESTED", reviewedBy: "user" }))).toBeNull();
    expect(needsPersonReason(task({ reviewState: "ERROR" }))).toContain("review failed");
    expect(needsPersonReason(task())).toBeNull();
  });
});

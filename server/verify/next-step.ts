import type { CheckState, ReviewState } from "@/lib/enums";
import type { ReviewAnswer } from "@/lib/schemas/review";
import type { ParsedReview } from "./review-answer";

/**
 * What follows a finished run, decided without I/O: the task is done, or the agent gets a fix
 * round (a failing check, a review's findings), or a reviewer reads the work. Rounds count from
 * the last run a person asked for (initial, continue, retry): a person's follow-up starts afresh.
 */
export type NextStep =
  | { kind: "finish"; checkState?: CheckState; reviewState?: ReviewState; reviewedBy?: "agent" }
  | { kind: "fix"; cause: "check" | "review"; round: number; rounds: number; checkState?: CheckState; reviewState?: ReviewState; reviewedBy?: "agent"; answer?: ReviewAnswer }
  | { kind: "review"; round: number; rounds: number; checkState: CheckState };

export interface RunSoFar {
  kind: string;
  status: string;
  cause: string | null;
}

const PERSON_KINDS = new Set(["initial", "continue", "retry"]);

/** The runs since the last one a person asked for (that one excluded), oldest first. */
export function sinceLastRequest(runs: RunSoFar[]): RunSoFar[] {
  let start = 0;
  runs.forEach((run, index) => {
    if (PERSON_KINDS.has(run.kind)) start = index + 1;
  });
  return runs.slice(start);
}

export interface AfterWorkInput {
  /** Earlier runs of the task, oldest first, this one included. */
  runs: RunSoFar[];
  /** Null when the workspace has no check command. */
  check: { passed: boolean } | null;
  fixRounds: number;
  /** The task has a reviewer. */
  reviewer: boolean;
  reviewRounds: number;
}

/** After a work run (initial, continue, retry, fix, auto_retry) that ended DONE. */
export function afterWorkRun(input: AfterWorkInput): NextStep {
  const recent = sinceLastRequest(input.runs);
  if (input.check && !input.check.passed) {
    const used = recent.filter((run) => run.kind === "fix" && run.cause === "check").length;
    if (used < input.fixRounds) return { kind: "fix", cause: "check", round: used + 1, rounds: input.fixRounds, checkState: "FAILED" };
    return { kind: "finish", checkState: "FAILED" };
  }
  const checkState: CheckState = input.check ? "PASSED" : "NONE";
  if (!input.reviewer) return { kind: "finish", checkState };
  const reviews = recent.filter((run) => run.kind === "review" && run.status === "DONE").length;
  if (reviews < input.reviewRounds) return { kind: "review", round: reviews + 1, rounds: input.reviewRounds, checkState };
  return { kind: "finish", checkState };
}

/** After a review run that ended DONE; `runs` includes it (status DONE). */
export function afterReviewRun(input: { runs: RunSoFar[]; parsed: ParsedReview; reviewRounds: number }): NextStep {
  if (!input.parsed.ok) return { kind: "finish", reviewState: "ERROR", reviewedBy: "agent" };
  const { answer } = input.parsed;
  if (answer.verdict === "approve") return { kind: "finish", reviewState: "APPROVED", reviewedBy: "agent" };
  const reviews = sinceLastRequest(input.runs).filter((run) => run.kind === "review" && run.status === "DONE").length;
  if (reviews < input.reviewRounds) {
    return { kind: "fix", cause: "review", round: reviews, rounds: input.reviewRounds - 1, reviewState: "CHANGES_REQUESTED", reviewedBy: "agent", answer };
  }
  return { kind: "finish", reviewState: "CHANGES_REQUESTED", reviewedBy: "agent" };
}

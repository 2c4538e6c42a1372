import type { ErrorClass } from "@/lib/enums";
import type { RunVerdict } from "@/server/agents/types";

export const INTERRUPTED_REASON = "Interrupted by server restart.";

export interface FinalVerdict {
  runStatus: "DONE" | "FAILED";
  errorClass: ErrorClass | null;
  reason: string | null;
  /** When set, the task is queued again after this many ms (an automatic retry). */
  retryInMs: number | null;
}

export interface VerdictInput {
  verdict: RunVerdict;
  timedOut: boolean;
  cancelled: boolean;
  interrupted?: boolean;
  timeoutSec: number;
  /** Automatic retries already made in a row for this task, this run included if it was one. */
  autoRetries: number;
  retryDelaysMs: number[];
}

/** Turns the adapter's verdict and what happened around the process into the run's outcome. */
export function finalVerdict(input: VerdictInput): FinalVerdict {
  const { verdict } = input;
  if (input.interrupted) return { runStatus: "FAILED", errorClass: "UNKNOWN", reason: INTERRUPTED_REASON, retryInMs: null };
  if (input.cancelled) return { runStatus: "FAILED", errorClass: "CANCELLED", reason: "Cancelled by the user.", retryInMs: null };
  if (input.timedOut) {
    return { runStatus: "FAILED", errorClass: "UNKNOWN", reason: `Timed out: the run exceeded the workspace's limit of ${formatDuration(input.timeoutSec)}.`, retryInMs: null };
  }
  if (verdict.status === "DONE") return { runStatus: "DONE", errorClass: null, reason: null, retryInMs: null };
  const errorClass = verdict.errorClass ?? "UNKNOWN";
  const reason = verdict.reason ?? "The agent failed without saying why.";
  const delay = verdict.transient ? input.retryDelaysMs[input.autoRetries] : undefined;
  return { runStatus: "FAILED", errorClass, reason, retryInMs: delay ?? null };
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Automatic retries in a row at the end of a task's runs (oldest first). */
export function trailingAutoRetries(kinds: string[]): number {
  let count = 0;
  for (let index = kinds.length - 1; index >= 0 && kinds[index] === "auto_retry"; index -= 1) count += 1;
  return count;
}

/** Review runs that failed in a row at the end of a task's runs (oldest first): a review's automatic retries. */
export function trailingFailedReviews(runs: { kind: string; status: string }[]): number {
  let count = 0;
  for (let index = runs.length - 1; index >= 0 && runs[index]!.kind === "review" && runs[index]!.status === "FAILED"; index -= 1) count += 1;
  return count;
}

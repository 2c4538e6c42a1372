import "server-only";
import { BACKEND_PROVIDER, type Backend } from "@/lib/enums";
import type { RunVerdict } from "@/server/agents/types";
import { db } from "@/server/db/client";
import { recordQuotaExhausted, recordQuotaOk, recordQuotaWindows } from "@/server/quota/service";
import { autoEnqueue } from "@/server/merge-queue/auto";
import { refreshChangedFiles } from "@/server/merge-queue/changed-files";
import { finishTask, requeueAutoRetry, requeueFollowUp } from "@/server/lifecycle/task-state";
import { services } from "@/server/services";
import { config } from "@/server/config";
import { settings } from "@/server/settings";
import { withCost } from "@/server/usage/pricing";
import { trailingAutoRetries, trailingFailedReviews, type FinalVerdict } from "./verdict";
import type { AfterRun } from "./verification";
import { crashPoint } from "@/server/lifecycle/crash-point";
import type { TaskWriter } from "@/server/lifecycle/task-state";

export interface FinishInput {
  taskId: number;
  workspaceId: number;
  runId: number;
  backend: Backend;
  /** The run's model: prices the usage of CLIs that report no cost. */
  model: string;
  exitCode: number | null;
  verdict: RunVerdict | null;
  final: FinalVerdict;
  /** The run's kind and prompt: a review that failed transiently is queued again as a review. */
  run?: { kind: string; prompt: string };
  /** What the verification decided (checks, review, fix rounds); absent for runs it did not look at. */
  after?: AfterRun;
}

/**
 * Records a run's outcome on the run, the task and the provider's quota, and tells the board. The
 * cost is the CLI's own (`costSource` "reported") or estimated from the price table ("estimated").
 */
export async function recordRunOutcome(input: FinishInput): Promise<void> {
  const { final, verdict } = input;
  const costed = verdict ? withCost(verdict.usage, input.model, input.backend, await settings.priceTable()) : null;
  const now = new Date();
  // The run's outcome and its task's next state commit together: a crash between them would leave
  // a finished run under a RUNNING task, which a restart could only call "never started".
  const outcome = {
    status: final.runStatus,
    exitCode: input.exitCode,
    errorClass: final.errorClass,
    errorMessage: final.reason,
    endedAt: now,
    ...(verdict && costed
      ? {
          sessionId: verdict.sessionId ?? undefined,
          inputTokens: costed.usage.inputTokens,
          outputTokens: costed.usage.outputTokens,
          cacheReadTokens: costed.usage.cacheReadTokens,
          cacheWriteTokens: costed.usage.cacheWriteTokens,
          costUsd: costed.usage.costUsd,
          costSource: costed.costSource,
          cumulativeUsage: JSON.stringify(verdict.cumulative),
        }
      : {}),
  };
  // The account's quota first: the task's end wakes the scheduler, which reads it.
  const { accountId } = await db().run.findUniqueOrThrow({ where: { id: input.runId }, select: { accountId: true } });
  const provider = BACKEND_PROVIDER[input.backend];
  if (verdict?.quotaWindows) await recordQuotaWindows(provider, accountId, verdict.quotaWindows);
  if (verdict?.quota) await recordQuotaExhausted(provider, accountId, verdict.quota);
  else if (final.runStatus === "DONE") await recordQuotaOk(provider, accountId);
  // Before the task's new status: whoever sees it finished sees what its branch changes.
  if (input.run?.kind !== "review") await refreshChangedFiles(input.taskId).catch((error: unknown) => console.error(`[task ${input.taskId}] reading the branch's changed files failed`, error));
  const finished = await db().$transaction(async (tx) => {
    await tx.run.update({ where: { id: input.runId }, data: outcome });
    crashPoint("run-outcome");
    return nextTaskState(input, now, tx);
  }, { timeout: 15_000 });
  if (finished) {
    // The merge queue goes on after its resolve or fix run; other work that ended DONE may join it (autoMerge).
    services().mergeQueue.poke(input.workspaceId);
    if (input.run?.kind !== "resolve" && finished === "DONE") await autoEnqueue(input.taskId).catch((error: unknown) => console.error(`[task ${input.taskId}] auto-merge failed`, error));
  }

  services().bus.publishRunEnd({ runId: input.runId, status: final.runStatus, errorClass: final.errorClass });
}

/** The task's next state after its run: an automatic retry, a follow-up run, or DONE | FAILED (returned). */
async function nextTaskState(input: FinishInput, now: Date, tx: TaskWriter): Promise<"DONE" | "FAILED" | null> {
  const { final, after } = input;
  const task = { taskId: input.taskId, workspaceId: input.workspaceId };
  if (final.retryInMs !== null && input.run?.kind === "review") {
    const at = new Date(now.getTime() + final.retryInMs);
    const waitingReason = `${final.reason ?? "Transient failure."} Retrying the review automatically at ${at.toISOString()}.`;
    await requeueFollowUp({ ...task, kind: "review", cause: null, prompt: input.run.prompt, notBefore: at, waitingReason }, tx);
  } else if (final.retryInMs !== null) {
    await requeueAutoRetry({ ...task, at: new Date(now.getTime() + final.retryInMs), reason: final.reason ?? "Transient failure." }, tx);
  } else if (after && after.prompt !== null && (after.next.kind === "fix" || after.next.kind === "review")) {
    const cause = after.next.kind === "fix" ? after.next.cause : null;
    await requeueFollowUp({ ...task, kind: after.next.kind, cause, prompt: after.prompt, fields: after.taskFields }, tx);
  } else {
    const status = after?.taskStatus ?? final.runStatus;
    await finishTask({ ...task, status, reason: status === "DONE" ? null : final.reason, now, fields: after?.taskFields }, tx);
    return status;
  }
  return null;
}

/**
 * The delay of the next automatic retry of a run that failed before its agent could start (its
 * host out of reach, the server stopped), or null once the retries in a row are used up
 * (AI_SLAVE_RETRY_DELAYS): a start that fails the same way each time is not tried forever.
 */
export async function autoRetryDelay(taskId: number, kind: string): Promise<number | null> {
  return config().retryDelaysMs[await autoRetriesInARow(taskId, kind)] ?? null;
}

/**
 * How many automatic retries came in a row up to the task's latest run (`upTo`: up to that run
 * instead): a review counts the failed reviews before it, any other run the retries in its own
 * kind's chain, itself included.
 */
export async function autoRetriesInARow(taskId: number, kind: string, upTo?: number): Promise<number> {
  const runs = await db().run.findMany({ where: { taskId, ...(upTo === undefined ? {} : { id: { lte: upTo } }) }, orderBy: { id: "asc" }, select: { kind: true, status: true } });
  return kind === "review" ? trailingFailedReviews(runs.slice(0, -1)) : trailingAutoRetries(runs.map((entry) => entry.kind));
}

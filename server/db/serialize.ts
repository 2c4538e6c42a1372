import "server-only";
import type { Backend, CheckState, DependencyMode, PullRequestState, CostSource, CommentAuthor, ErrorClass, LoginShell, ReviewState, ReviewVerdict, RunCheckState, RunKind, RunStatus, TaskStatus, UpdateStrategy, WorkspaceType } from "@/lib/enums";
import type { ReviewFinding } from "@/lib/schemas/review";
import type { PromptHistoryEntry, RunDto, TaskDto } from "@/lib/schemas/task";
import type { WorkspaceDto } from "@/lib/schemas/workspace";
import type { Run, Task, Workspace } from "./generated/client";

/** A date as ISO text; rows read without Prisma (server/tasks/task-rows.ts) have it as that text already. */
const isoOf = (date: Date | string): string => (typeof date === "string" ? date : date.toISOString());
const iso = (date: Date | string | null): string | null => (date === null ? null : isoOf(date));

export function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toWorkspaceDto(row: Workspace, taskCounts?: Record<string, number>): WorkspaceDto {
  return {
    id: row.id,
    name: row.name,
    type: row.type as WorkspaceType,
    path: row.path,
    host: row.host,
    port: row.port,
    user: row.user,
    identityFile: row.identityFile,
    containerName: row.containerName,
    loginShell: row.loginShell as LoginShell,
    concurrencyLimit: row.concurrencyLimit,
    gpuIndices: parseJson<number[]>(row.gpuIndices, []),
    minFreeMemoryMb: row.minFreeMemoryMb,
    baseBranch: row.baseBranch,
    notes: row.notes,
    worktreeRoot: row.worktreeRoot,
    taskTimeoutSec: row.taskTimeoutSec,
    agentMcp: row.agentMcp,
    maxSubtasks: row.maxSubtasks,
    setupScript: row.setupScript,
    setupTimeoutSec: row.setupTimeoutSec,
    checkCommand: row.checkCommand,
    checkTimeoutSec: row.checkTimeoutSec,
    fixRounds: row.fixRounds,
    reviewBackend: row.reviewBackend as Backend | null,
    reviewModel: row.reviewModel,
    reviewRounds: row.reviewRounds,
    autoMerge: row.autoMerge,
    autoResolve: row.autoResolve,
    updateStrategy: row.updateStrategy as UpdateStrategy,
    gitRemote: row.gitRemote,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(taskCounts ? { taskCounts } : {}),
  };
}

/** What a task's answer carries besides its row: its usage and its place in the merge queue. */
export interface TaskExtras {
  usage?: TaskDto["usage"];
  mergeQueue?: TaskDto["mergeQueue"];
  overlaps?: TaskDto["overlaps"];
}

/** A Task, or a task read with its dates as ISO text (TaskRow, server/tasks/task-rows.ts). */
type TaskOrRow = { [K in keyof Task]: Task[K] extends Date ? Date | string : Task[K] extends Date | null ? Date | string | null : Task[K] };

export function toTaskDto(row: TaskOrRow, extras: TaskExtras = {}): TaskDto {
  const { usage } = extras;
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    prompt: row.prompt,
    workspaceId: row.workspaceId,
    poolId: row.poolId,
    backend: row.backend as Backend,
    model: row.model,
    permissionMode: row.permissionMode,
    status: row.status as TaskStatus,
    failureReason: row.failureReason,
    waitingReason: row.waitingReason,
    branch: row.branch,
    worktreePath: row.worktreePath,
    promptHistory: parseJson<PromptHistoryEntry[]>(row.promptHistory, []),
    currentRunId: row.currentRunId,
    reviewBackend: row.reviewBackend as Backend | null,
    reviewModel: row.reviewModel,
    checkState: row.checkState as CheckState,
    reviewState: row.reviewState as ReviewState,
    reviewedBy: row.reviewedBy as CommentAuthor | null,
    permissionDenials: parseJson<string[]>(row.permissionDenials, []),
    createdAt: isoOf(row.createdAt),
    updatedAt: isoOf(row.updatedAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    mergedAt: iso(row.mergedAt),
    parentTaskId: row.parentTaskId,
    dependsOn: parseJson<number[]>(row.dependsOn, []),
    dependencyMode: row.dependencyMode as DependencyMode,
    overlaps: extras.overlaps ?? [],
    pullRequest: row.pullRequestUrl ? { url: row.pullRequestUrl, state: (row.pullRequestState ?? "open") as PullRequestState } : null,
    mergeQueue: extras.mergeQueue ?? null,
    accountId: row.accountId,
    fallbackBackend: row.fallbackBackend as Backend | null,
    gpus: row.gpus,
    gpuIndices: parseJson<number[]>(row.gpuIndices, []),
    ...(usage ? { usage } : {}),
  };
}

export function toRunDto(row: Run): RunDto {
  return {
    id: row.id,
    taskId: row.taskId,
    kind: row.kind as RunKind,
    backend: row.backend as Backend,
    model: row.model,
    prompt: row.prompt,
    sessionId: row.sessionId,
    status: row.status as RunStatus,
    exitCode: row.exitCode,
    errorClass: row.errorClass as ErrorClass | null,
    errorMessage: row.errorMessage,
    tmuxSession: row.tmuxSession,
    pid: row.pid,
    startedAt: row.startedAt.toISOString(),
    endedAt: iso(row.endedAt),
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cacheReadTokens: row.cacheReadTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      costUsd: row.costUsd,
    },
    costSource: row.costSource as CostSource | null,
    check: row.checkState
      ? { state: row.checkState as RunCheckState, exitCode: row.checkExitCode, durationMs: row.checkDurationMs ?? 0, outputTail: row.checkOutputTail ?? "" }
      : null,
    review:
      row.kind === "review" && row.status !== "RUNNING"
        ? { verdict: row.reviewVerdict as ReviewVerdict | null, summary: row.reviewSummary, findings: parseJson<ReviewFinding[]>(row.reviewFindings ?? "[]", []), raw: row.reviewRaw }
        : null,
    permissionDenials: parseJson<string[]>(row.permissionDenials, []),
    accountId: row.accountId,
  };
}

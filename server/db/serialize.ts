import "server-only";
import type { Backend, CostSource, ErrorClass, LoginShell, RunKind, RunStatus, TaskStatus, WorkspaceType } from "@/lib/enums";
import type { PromptHistoryEntry, RunDto, TaskDto } from "@/lib/schemas/task";
import type { WorkspaceDto } from "@/lib/schemas/workspace";
import type { Run, Task, Workspace } from "./generated/client";

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

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
    baseBranch: row.baseBranch,
    notes: row.notes,
    worktreeRoot: row.worktreeRoot,
    taskTimeoutSec: row.taskTimeoutSec,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(taskCounts ? { taskCounts } : {}),
  };
}

export function toTaskDto(row: Task, usage?: TaskDto["usage"]): TaskDto {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    prompt: row.prompt,
    workspaceId: row.workspaceId,
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
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    mergedAt: iso(row.mergedAt),
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
  };
}

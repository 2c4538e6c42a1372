import "server-only";
import { AppError } from "@/lib/errors";
import type { TaskDto } from "@/lib/schemas/task";
import { readLogTail } from "@/server/events/log-store";
import { taskDiff } from "@/server/tasks/actions";
import { cutText, DEFAULT_PATCH_CHARS, logLines, MAX_LOG_LINES } from "./format";

/** The fields of a task a model needs to follow it (the REST answer has them all). */
export function taskSummary(task: TaskDto) {
  return {
    id: task.id,
    number: task.number,
    title: task.title,
    status: task.status,
    workspaceId: task.workspaceId,
    backend: task.backend,
    model: task.model,
    failureReason: task.failureReason,
    waitingReason: task.waitingReason,
    branch: task.branch,
    checkState: task.checkState,
    reviewState: task.reviewState,
    reviewedBy: task.reviewedBy,
    permissionDenials: task.permissionDenials,
    parentTaskId: task.parentTaskId,
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    mergedAt: task.mergedAt,
    mergeQueue: task.mergeQueue,
    pullRequest: task.pullRequest,
  };
}

export function taskLine(task: TaskDto): string {
  const why = task.failureReason ?? task.waitingReason;
  const verification = [task.checkState !== "NONE" ? `check ${task.checkState}` : "", task.reviewState !== "NONE" ? `review ${task.reviewState}` : ""].filter(Boolean).join(", ");
  return `#${task.id} [${task.status}${verification ? `; ${verification}` : ""}] ${task.title}${why ? ` (${why})` : ""}`;
}

/** The last lines of the task's current run, or null before its first run. */
export async function lastLogLines(task: TaskDto) {
  if (task.currentRunId === null) return null;
  const events = await readLogTail(task.currentRunId, MAX_LOG_LINES * 5);
  return {
    runId: task.currentRunId,
    lines: logLines(events),
    note: `At most the last ${MAX_LOG_LINES} lines; the whole log: GET /api/runs/${task.currentRunId}/logs.`,
  };
}

/** Files changed on the task's branch with their line counts, or null when it has no branch yet. */
export async function diffSummary(taskId: number) {
  try {
    const diff = await taskDiff(taskId);
    const additions = diff.files.reduce((sum, file) => sum + (file.additions ?? 0), 0);
    const deletions = diff.files.reduce((sum, file) => sum + (file.deletions ?? 0), 0);
    return { branch: diff.branch, baseBranch: diff.baseBranch, fileCount: diff.files.length, additions, deletions, files: diff.files.slice(0, 50) };
  } catch (error) {
    if (error instanceof AppError && error.code === "conflict:no_branch") return null;
    throw error;
  }
}

/** A window of the task's patch: `maxChars` from `offset`, with a note on how to get the rest. */
export async function diffWindow(taskId: number, offset: number, maxChars = DEFAULT_PATCH_CHARS) {
  const diff = await taskDiff(taskId);
  const rest = diff.patch.slice(offset);
  const next = offset + maxChars;
  const cut = cutText(rest, maxChars, `call get_diff with offset ${next} for more.`);
  return {
    branch: diff.branch,
    baseBranch: diff.baseBranch,
    files: diff.files,
    patchLength: diff.patch.length,
    offset,
    patch: cut.text,
    nextOffset: cut.note ? next : null,
    note: cut.note,
  };
}

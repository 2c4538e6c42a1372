import "server-only";
import { requirePlaced } from "@/server/lifecycle/placed";
import type { CommentAuthor, CommentSide, FindingSeverity } from "@/lib/enums";
import { conflict, notFound, unprocessable } from "@/lib/errors";
import type { CommentCreateInput, CommentDto } from "@/lib/schemas/review";
import type { TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import type { ReviewComment, Task, Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import { fileAt, mergeBase } from "@/server/git/repo";
import { taskBranchName } from "@/server/git/worktree";
import { services } from "@/server/services";
import { continueTask } from "@/server/tasks/actions";
import { findTask, getTask } from "@/server/tasks/service";
import { anchorOf, locateAnchor, type LinePosition } from "@/server/verify/anchor";
import { commentsFollowUp } from "@/server/verify/prompts";

/**
 * Review comments on a task's diff, by a person or the AI reviewer: stored, kept across runs,
 * found again at their lines after the code moved, sent to the agent as one follow-up.
 */

type TaskWithWorkspace = Task & { workspaceId: number; workspace: Workspace };

async function taskWithWorkspace(id: number): Promise<TaskWithWorkspace> {
  const task = requirePlaced(await findTask(id));
  return { ...task, workspace: await db().workspace.findUniqueOrThrow({ where: { id: task.workspaceId } }) };
}

/** Reads files of the task's branch (new side) or merge base (old side), each once per call. */
function fileReader(task: TaskWithWorkspace) {
  const transport = transportFor(task.workspace);
  const branch = taskBranchName(task.id);
  const cache = new Map<string, Promise<string | null>>();
  let oldSide: Promise<string | null> | null = null;
  const refOf = async (side: CommentSide): Promise<string | null> => {
    if (side === "new") return branch;
    oldSide ??= mergeBase(transport, task.workspace.path, task.workspace.baseBranch, branch).catch(() => null);
    return oldSide;
  };
  return (side: CommentSide, file: string): Promise<string | null> => {
    const key = `${side}\0${file}`;
    if (!cache.has(key)) cache.set(key, refOf(side).then((ref) => (ref ? fileAt(transport, task.workspace.path, ref, file) : null)));
    return cache.get(key)!;
  };
}

function toDto(row: ReviewComment, position: LinePosition): CommentDto {
  return {
    id: row.id, taskId: row.taskId, runId: row.runId, file: row.file, startLine: row.startLine, endLine: row.endLine,
    side: row.side as CommentSide, author: row.author as CommentAuthor, severity: row.severity as FindingSeverity | null, body: row.body,
    resolved: row.resolved, sentAt: row.sentAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(), position,
  };
}

const STAYED = (row: ReviewComment): LinePosition => ({ startLine: row.startLine, endLine: row.endLine, outdated: false });

/** The task's comments, oldest first, each with where its lines are in the branch now. */
export async function listComments(taskId: number): Promise<CommentDto[]> {
  // A pool task not placed yet has no branch to comment on.
  if ((await findTask(taskId)).workspaceId === null) return [];
  const task = await taskWithWorkspace(taskId);
  const rows = await db().reviewComment.findMany({ where: { taskId }, orderBy: { id: "asc" } });
  if (rows.every((row) => !row.anchor)) return rows.map((row) => toDto(row, STAYED(row)));
  const read = fileReader(task);
  return Promise.all(
    rows.map(async (row) => {
      if (!row.file || !row.anchor || row.startLine === null) return toDto(row, STAYED(row));
      const text = await read(row.side as CommentSide, row.file).catch(() => null);
      return toDto(row, locateAnchor(row.anchor, row.startLine, text));
    }),
  );
}

/** A person's comment on lines of a file of the branch (or the base, side old), or a general note. */
export async function createComment(taskId: number, input: CommentCreateInput): Promise<CommentDto> {
  const task = await taskWithWorkspace(taskId);
  if (!task.worktreePath) throw conflict("task_not_started", `Task ${taskId} has no branch yet: comment once it ran.`);
  let anchor: string | null = null;
  let endLine: number | null = null;
  if (input.file !== null) {
    const startLine = input.startLine!;
    endLine = input.endLine ?? startLine;
    const text = await fileReader(task)(input.side, input.file);
    if (text === null) throw unprocessable("comment_file", `${input.file} is not in the task's ${input.side === "new" ? "branch" : "base"}.`);
    anchor = anchorOf(text, startLine, endLine);
    if (anchor === null) throw unprocessable("comment_lines", `${input.file} has no lines ${startLine}-${endLine}.`);
  }
  const row = await db().reviewComment.create({
    data: {
      taskId, runId: task.currentRunId, file: input.file, startLine: input.file === null ? null : input.startLine!, endLine,
      side: input.side, author: "user", body: input.body, anchor,
    },
  });
  publishTask(task);
  return toDto(row, STAYED(row));
}

export async function setCommentResolved(id: number, resolved: boolean): Promise<CommentDto> {
  const existing = await db().reviewComment.findUnique({ where: { id } });
  if (!existing) throw notFound("comment", id);
  const row = await db().reviewComment.update({ where: { id }, data: { resolved } });
  const [dto] = (await listComments(row.taskId)).filter((comment) => comment.id === id);
  return dto!;
}

/**
 * "Request changes": every open comment (unresolved, not sent yet) goes to the agent as one
 * follow-up that quotes each file:line, and the review is CHANGES_REQUESTED by a person.
 */
export async function requestChanges(taskId: number): Promise<TaskDto> {
  const task = await findTask(taskId);
  const open = await db().reviewComment.findMany({ where: { taskId, resolved: false, sentAt: null }, orderBy: { id: "asc" } });
  if (open.length === 0) throw unprocessable("no_open_comments", "There is no open comment to send: comment on the diff first.");
  if (task.status !== "DONE" && task.status !== "FAILED") throw conflict("task_not_finished", `Task ${taskId} is ${task.status}: wait until it is DONE or FAILED.`);
  const positions = new Map((await listComments(taskId)).map((comment) => [comment.id, comment.position]));
  const prompt = commentsFollowUp(
    open.map((row) => {
      const at = positions.get(row.id);
      return { file: row.file, startLine: at?.startLine ?? row.startLine, endLine: at?.endLine ?? row.endLine, body: row.body };
    }),
  );
  const queued = await continueTask(taskId, prompt, { reviewState: "CHANGES_REQUESTED", reviewedBy: "user" });
  await db().reviewComment.updateMany({ where: { id: { in: open.map((row) => row.id) } }, data: { sentAt: new Date() } });
  return queued;
}

/** "Approve": a person approves the task's work as it is. */
export async function approveTask(taskId: number): Promise<TaskDto> {
  const task = await findTask(taskId);
  const { count } = await db().task.updateMany({ where: { id: taskId, status: "DONE" }, data: { reviewState: "APPROVED", reviewedBy: "user" } });
  if (count === 0) throw conflict("task_not_done", `Task ${taskId} is ${task.status}: only a DONE task can be approved.`);
  publishTask(task);
  return getTask(taskId);
}

function publishTask(task: Task): void {
  services().bus.publishBoard({ type: "task.updated", taskId: task.id, workspaceId: task.workspaceId, status: task.status as TaskDto["status"] });
}

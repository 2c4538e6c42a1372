import "server-only";
import { z } from "zod";
import { BACKENDS, CHECK_STATES, REVIEW_STATES, TASK_STATUSES } from "@/lib/enums";
import { promptSchema } from "@/lib/schemas/common";
import { taskCreateSchema } from "@/lib/schemas/task";
import { cancelTask, continueTask, retryTask } from "@/server/tasks/actions";
import { enqueueTask } from "@/server/tasks/merge-queue";
import { createTask, getTask, listTasks } from "@/server/tasks/service";
import { listWorkspaces } from "@/server/workspaces/service";
import { cutText, MAX_PATCH_CHARS, toolError, toolResult, type ToolResult } from "./format";
import type { McpCaller } from "./caller";
import { createSubtask, getTaskFor } from "./subtasks";
import { diffSummary, diffWindow, lastLogLines, taskLine, taskSummary } from "./task-report";

/**
 * The MCP tools. Each calls the same server functions as the REST routes; input is checked by
 * its zod schema (the SDK answers bad input with an isError result before `run`), and an
 * AppError from a service becomes an isError result with its code (server.ts).
 */
export interface McpTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** Offered to a task's agent (agentMcp), not only to the token's holder. */
  forAgents?: boolean;
  run(args: z.infer<S>, caller: McpCaller): Promise<ToolResult>;
}

const taskId = z.object({ taskId: z.number().int().positive().describe("The task's id (not its per-workspace number).") });

function define<S extends z.ZodObject>(tool: McpTool<S>): McpTool {
  return tool as unknown as McpTool;
}

const createTaskInput = z.object({
  workspaceId: z.number().int().positive().optional().describe("The workspace to run it in (list_workspaces); required, except for an agent's subtask, which goes to its own workspace."),
  prompt: promptSchema.describe("What the agent should do (at most 100 KB)."),
  backend: z.enum(BACKENDS).default("claude_code").describe("Which agent CLI runs it."),
  model: taskCreateSchema.shape.model,
  title: taskCreateSchema.shape.title,
  permissionMode: taskCreateSchema.shape.permissionMode,
});

export const MCP_TOOLS: McpTool[] = [
  define({
    name: "list_workspaces",
    title: "List workspaces",
    description: "The workspaces (repositories) tasks can run in, with their ids.",
    input: z.object({}),
    async run() {
      const items = (await listWorkspaces()).map((w) => ({ id: w.id, name: w.name, type: w.type, path: w.path, host: w.host, baseBranch: w.baseBranch, taskCounts: w.taskCounts ?? {} }));
      return toolResult(items.map((w) => `#${w.id} ${w.name} (${w.type}) ${w.host ? `${w.host}:` : ""}${w.path} on ${w.baseBranch}`).join("\n") || "No workspaces.", { items });
    },
  }),
  define({
    name: "list_tasks",
    title: "List tasks",
    description: "Tasks, newest first, with the REST API's filters (workspaceId, parentTaskId, status, checkState, reviewState, q) and a cursor for the next page.",
    input: z.object({
      workspaceId: z.number().int().positive().optional(),
      parentTaskId: z.number().int().positive().optional().describe("Only the subtasks of this task."),
      status: z.enum(TASK_STATUSES).optional(),
      checkState: z.enum(CHECK_STATES).optional(),
      reviewState: z.enum(REVIEW_STATES).optional(),
      q: z.string().trim().max(200).optional().describe("Text in the title or prompt."),
      limit: z.number().int().min(1).max(100).default(20),
      cursor: z.string().regex(/^\d+$/).optional().describe("nextCursor of the previous page."),
    }),
    async run(args) {
      const page = await listTasks(args);
      const text = page.items.map(taskLine).join("\n") || "No tasks match.";
      return toolResult(page.nextCursor ? `${text}\nMore: call again with cursor ${page.nextCursor}.` : text, { items: page.items.map(taskSummary), nextCursor: page.nextCursor });
    },
  }),
  define({
    name: "get_task",
    title: "Get a task",
    description: "A task's status, check and review states, failure or waiting reason, the last lines of its current run's log and a summary of its diff.",
    input: taskId,
    forAgents: true,
    async run({ taskId: id }, caller) {
      const task = caller.kind === "agent" ? await getTaskFor(caller, id) : await getTask(id);
      const [log, diff] = await Promise.all([lastLogLines(task), diffSummary(id)]);
      const lines = [taskLine(task)];
      if (log) lines.push(`Last log lines (run ${log.runId}):`, ...log.lines.map((line) => `  ${line}`));
      lines.push(diff ? `Diff: ${diff.fileCount} file(s), +${diff.additions} -${diff.deletions} on ${diff.branch}` : "No branch yet.");
      return toolResult(lines.join("\n"), { task: taskSummary(task), log, diff });
    },
  }),
  define({
    name: "create_task",
    title: "Create a task",
    description:
      "Queue a coding task on a workspace; it starts when the workspace has a free slot. Follow it with get_task. From a task's agent: a subtask on the agent's own workspace (limited per task; a subtask cannot create more).",
    input: createTaskInput,
    forAgents: true,
    async run(args, caller) {
      const workspaceId = args.workspaceId ?? (caller.kind === "agent" ? caller.workspaceId : undefined);
      const parsed = taskCreateSchema.safeParse({ ...args, workspaceId });
      if (!parsed.success) return toolError("bad_request:validation", parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; "));
      const task = caller.kind === "agent" ? await createSubtask(caller, { ...parsed.data, workspaceId: args.workspaceId }) : await createTask(parsed.data);
      const parent = task.parentTaskId === null ? "" : ` as a subtask of #${task.parentTaskId}`;
      return toolResult(`Queued ${taskLine(task)}${parent}.`, { task: taskSummary(task) });
    },
  }),
  define({
    name: "continue_task",
    title: "Continue a task",
    description: "Send a finished (DONE or FAILED) task a follow-up prompt; it runs again in the same session and worktree.",
    input: taskId.extend({ prompt: promptSchema }),
    async run({ taskId: id, prompt }) {
      const task = await continueTask(id, prompt);
      return toolResult(`Queued again: ${taskLine(task)}.`, { task: taskSummary(task) });
    },
  }),
  define({
    name: "cancel_task",
    title: "Cancel a task",
    description: "Stop a running or queued task; its worktree and commits stay.",
    input: taskId,
    async run({ taskId: id }) {
      const task = await cancelTask(id);
      return toolResult(`Cancelled: ${taskLine(task)}.`, { task: taskSummary(task) });
    },
  }),
  define({
    name: "retry_task",
    title: "Retry a task",
    description: "Run a finished task again from its original prompt in the same worktree.",
    input: taskId,
    async run({ taskId: id }) {
      const task = await retryTask(id);
      return toolResult(`Queued again: ${taskLine(task)}.`, { task: taskSummary(task) });
    },
  }),
  define({
    name: "get_diff",
    title: "Get a task's diff",
    description: "The task branch's changed files and a window of its unified patch (maxChars from offset; the answer says the next offset).",
    input: taskId.extend({
      offset: z.number().int().min(0).default(0),
      maxChars: z.number().int().min(1).max(MAX_PATCH_CHARS).default(20_000),
    }),
    async run({ taskId: id, offset, maxChars }) {
      const window = await diffWindow(id, offset, maxChars);
      const files = window.files.map((file) => `${file.status} ${file.path} +${file.additions ?? "?"} -${file.deletions ?? "?"}`).join("\n");
      const text = [`${window.files.length} file(s) on ${window.branch} against ${window.baseBranch}:`, files, window.patch, window.note ?? ""].filter(Boolean).join("\n");
      return toolResult(cutText(text, maxChars + 10_000, "the structured content has the full window.").text, window);
    },
  }),
  define({
    name: "queue_merge",
    title: "Queue a task for merging",
    description:
      "Put a DONE task in its workspace's merge queue (as POST /api/tasks/:id/merge-queue does). The queue lands one task at a time: it brings the branch up to date with the base (a conflict goes back to the task's agent when the workspace allows), runs the check, then moves the base forward. Follow it with get_task (mergeQueue: position, step, reason; mergedAt once landed).",
    input: taskId.extend({ deleteBranch: z.boolean().default(false).describe("Delete the task's branch once it landed.") }),
    async run({ taskId: id, deleteBranch }) {
      const task = await enqueueTask(id, { deleteBranch });
      const place = task.mergeQueue ? `position ${task.mergeQueue.position}, step ${task.mergeQueue.step}` : "already handled by the queue";
      return toolResult(`Queued for merging (${place}): ${taskLine(task)}.`, { task: taskSummary(task) });
    },
  }),
];

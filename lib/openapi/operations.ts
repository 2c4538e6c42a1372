import { z } from "zod";
import { accountCreateSchema, accountListSchema, accountSchema, accountUpdateSchema } from "../schemas/account";
import { idSchema } from "../schemas/common";
import { poolCreateSchema, poolListSchema, poolSchema, poolUpdateSchema } from "../schemas/pool";
import { taskDiffSchema } from "../schemas/git";
import { healthReportSchema, healthStatusSchema, hostResourcesSchema, workspaceHealthSchema } from "../schemas/health";
import { logPageSchema, runLogsQuerySchema, runLogStreamQuerySchema, taskLogStreamQuerySchema } from "../schemas/logs";
import { jsonRpcErrorSchema, mcpMessageSchema } from "../schemas/mcp";
import { mergeQueueEnqueueSchema, mergeQueueReorderSchema, mergeQueueSchema } from "../schemas/merge-queue";
import { modelsResponseSchema } from "../schemas/models";
import { quotaListSchema } from "../schemas/quota";
import { sessionStatusSchema } from "../schemas/session";
import { settingKeySchema, settingSavedSchema, settingsResponseSchema, settingValueBodySchema } from "../schemas/settings";
import {
  mergeOutcomeSchema,
  runListSchema,
  runSchema,
  taskChainResultSchema,
  taskPushResultSchema,
  taskChainSchema,
  taskContinueSchema,
  taskBoardQuerySchema,
  taskBoardSchema,
  taskCountsQuerySchema,
  taskCountsSchema,
  taskCreateSchema,
  taskDeleteQuerySchema,
  taskListQuerySchema,
  taskListSchema,
  taskMergeSchema,
  taskSchema,
  taskUpdateSchema,
} from "../schemas/task";
import { commentCreateSchema, commentListSchema, commentPatchSchema, commentSchema } from "../schemas/review";
import { terminalInfoSchema } from "../schemas/terminal";
import { usageQuerySchema, usageReportSchema } from "../schemas/usage";
import { workspaceCreateSchema, workspaceListSchema, workspaceSchema, workspaceUpdateSchema } from "../schemas/workspace";

/**
 * The API's one registry: every route file's exported method has an entry here, keyed
 * `"<METHOD> <path>"` with the path as the route's folders spell it (`[id]` becomes `{id}`), and
 * each entry names the very zod schemas the route parses and answers with. The OpenAPI document
 * (`lib/openapi/document.ts`) is generated from it; a unit test walks `app/api/**\/route.ts` and
 * fails on a method without an entry (or an entry without a route), and the integration tests
 * check every response they receive against the document.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A success answer: a JSON schema, `sse` (an event stream, described in words), or `empty` (204). */
export type SuccessBody = z.ZodType | { sse: string } | "empty" | { mcp: true };

export interface ApiOperation {
  operationId: string;
  tag: "tasks" | "reviews" | "runs" | "workspaces" | "settings" | "system" | "mcp";
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success statuses and their bodies. */
  ok: Partial<Record<200 | 201 | 202 | 204 | 503, SuccessBody>>;
  /** Error statuses this route answers beyond those every route of its kind does (see document.ts). */
  errors?: number[];
  /** The body of the statuses in `errors`, when not the API's `{error:{code,message}}`. */
  errorBody?: z.ZodType;
  /** Served without the token. */
  public?: boolean;
}

const byId = z.object({ id: idSchema });
const byKey = z.object({ key: settingKeySchema });

export const API_OPERATIONS: Record<string, ApiOperation> = {
  "GET /api/health": {
    operationId: "getHealth",
    tag: "system",
    summary: "Server health; without the token only the status",
    description: "200 when ok, 503 when degraded. Open to process supervisors: without the token the body is `{status}` alone.",
    ok: { 200: z.union([healthReportSchema, healthStatusSchema]), 503: z.union([healthReportSchema, healthStatusSchema]) },
    public: true,
  },
  "GET /api/session": { operationId: "getSession", tag: "system", summary: "Whether the caller's token or session is good", ok: { 200: sessionStatusSchema } },
  "GET /api/openapi.json": { operationId: "getOpenApiDocument", tag: "system", summary: "This document", ok: { 200: z.record(z.string(), z.unknown()) } },
  "GET /api/models": { operationId: "listModels", tag: "system", summary: "Backends and their models", ok: { 200: modelsResponseSchema } },
  "GET /api/quota": { operationId: "listQuota", tag: "system", summary: "Quota state and rate-limit windows per provider account", ok: { 200: quotaListSchema } },
  "GET /api/accounts": { operationId: "listAccounts", tag: "settings", summary: "Provider accounts the agents run under", ok: { 200: accountListSchema } },
  "POST /api/accounts": { operationId: "createAccount", tag: "settings", summary: "Add a provider account (config dir and/or env var names; never secrets)", body: accountCreateSchema, ok: { 201: accountSchema } },
  "PATCH /api/accounts/{id}": { operationId: "updateAccount", tag: "settings", summary: "Change an account", params: byId, body: accountUpdateSchema, ok: { 200: accountSchema }, errors: [404] },
  "GET /api/pools": { operationId: "listPools", tag: "workspaces", summary: "Pools of workspaces holding one repository", ok: { 200: poolListSchema } },
  "POST /api/pools": { operationId: "createPool", tag: "workspaces", summary: "Group workspaces that hold the same repository (same remote URL or a shared root commit)", body: poolCreateSchema, ok: { 201: poolSchema }, errors: [409, 422] },
  "GET /api/pools/{id}": { operationId: "getPool", tag: "workspaces", summary: "One pool", params: byId, ok: { 200: poolSchema }, errors: [404] },
  "PATCH /api/pools/{id}": { operationId: "updatePool", tag: "workspaces", summary: "Rename a pool or replace its members", params: byId, body: poolUpdateSchema, ok: { 200: poolSchema }, errors: [404, 409, 422] },
  "DELETE /api/pools/{id}": { operationId: "deletePool", tag: "workspaces", summary: "Delete a pool (its workspaces stay; refused while tasks wait to be placed from it)", params: byId, ok: { 204: "empty" }, errors: [404, 409] },
  "DELETE /api/accounts/{id}": { operationId: "deleteAccount", tag: "settings", summary: "Remove an account no running run uses", params: byId, ok: { 204: "empty" }, errors: [404, 409] },
  "GET /api/usage": { operationId: "getUsage", tag: "system", summary: "Token and cost totals over recent days", query: usageQuerySchema, ok: { 200: usageReportSchema } },
  "GET /api/events": {
    operationId: "streamBoardEvents",
    tag: "system",
    summary: "Board changes as server-sent events",
    ok: { 200: { sse: "`event: board` with a BoardMessage JSON (task.created, task.updated, ...) per change; `: ping` heartbeats. Nothing is replayed." } },
  },

  "GET /api/workspaces": { operationId: "listWorkspaces", tag: "workspaces", summary: "All workspaces", ok: { 200: workspaceListSchema } },
  "POST /api/workspaces": { operationId: "createWorkspace", tag: "workspaces", summary: "Add a workspace", body: workspaceCreateSchema, ok: { 201: workspaceSchema }, errors: [409, 422] },
  "GET /api/workspaces/{id}/merge-queue": {
    operationId: "getMergeQueue",
    tag: "workspaces",
    summary: "The workspace's merge queue: order with each entry's step, and the history of what landed or left (with why)",
    params: byId,
    ok: { 200: mergeQueueSchema },
    errors: [404],
  },
  "PUT /api/workspaces/{id}/merge-queue": {
    operationId: "reorderMergeQueue",
    tag: "workspaces",
    summary: "Reorder the queue: the listed tasks first, in this order; an entry already past its first step keeps going",
    params: byId,
    body: mergeQueueReorderSchema,
    ok: { 200: mergeQueueSchema },
    errors: [404, 422],
  },
  "GET /api/workspaces/{id}": { operationId: "getWorkspace", tag: "workspaces", summary: "One workspace", params: byId, ok: { 200: workspaceSchema }, errors: [404] },
  "PATCH /api/workspaces/{id}": {
    operationId: "updateWorkspace",
    tag: "workspaces",
    summary: "Change a workspace (its type is fixed)",
    params: byId,
    body: workspaceUpdateSchema,
    ok: { 200: workspaceSchema },
    errors: [404, 409, 422],
  },
  "DELETE /api/workspaces/{id}": { operationId: "deleteWorkspace", tag: "workspaces", summary: "Delete a workspace without running tasks", params: byId, ok: { 204: "empty" }, errors: [404, 409] },
  "GET /api/workspaces/{id}/health": { operationId: "getWorkspaceHealth", tag: "workspaces", summary: "Reachability, git, tmux, agent CLIs, disk", params: byId, ok: { 200: workspaceHealthSchema }, errors: [404] },
  "GET /api/workspaces/{id}/resources": { operationId: "getWorkspaceResources", tag: "workspaces", summary: "Memory, load, CPUs and GPUs of its machine", params: byId, ok: { 200: hostResourcesSchema }, errors: [404] },

  "GET /api/tasks": { operationId: "listTasks", tag: "tasks", summary: "Tasks in one of four orders (newest first by default), with filters and a cursor", query: taskListQuerySchema, ok: { 200: taskListSchema } },
  "GET /api/tasks/counts": { operationId: "countTasks", tag: "tasks", summary: "How many tasks match the filters, per status (the board's column counts)", query: taskCountsQuerySchema, ok: { 200: taskCountsSchema } },
  "GET /api/tasks/board": { operationId: "boardTasks", tag: "tasks", summary: "The board's first screen: the counts per status and each column's first page in its order", query: taskBoardQuerySchema, ok: { 200: taskBoardSchema } },
  "POST /api/tasks": {
    operationId: "createTask",
    tag: "tasks",
    summary: "Queue a task on a workspace (`workspaceId`), or on a pool (`poolId`): the scheduler places it on the member with a free slot and the most room",
    body: taskCreateSchema,
    ok: { 201: taskSchema },
    errors: [404, 422],
  },
  "GET /api/tasks/{id}": { operationId: "getTask", tag: "tasks", summary: "One task", params: byId, ok: { 200: taskSchema }, errors: [404] },
  "POST /api/tasks/chain": {
    operationId: "createTaskChain",
    tag: "tasks",
    summary: "Queue several tasks of one workspace with their dependencies: each waits for the items named in `after` (indexes of earlier items), else for the one before it",
    body: taskChainSchema,
    ok: { 201: taskChainResultSchema },
    errors: [422],
  },
  "PATCH /api/tasks/{id}": {
    operationId: "updateTask",
    tag: "tasks",
    summary: "Edit a TODO task's title, prompt, model or dependencies (dependsOn: [] removes them; cycles and other workspaces' tasks are refused with 422)",
    params: byId,
    body: taskUpdateSchema,
    ok: { 200: taskSchema },
    errors: [404, 409, 422],
  },
  "DELETE /api/tasks/{id}": {
    operationId: "deleteTask",
    tag: "tasks",
    summary: "Delete a task that is not running (and its worktree; its branch with deleteBranch=true)",
    params: byId,
    query: taskDeleteQuerySchema,
    ok: { 204: "empty" },
    errors: [404, 409],
  },
  "POST /api/tasks/{id}/cancel": { operationId: "cancelTask", tag: "tasks", summary: "Stop a running task", params: byId, ok: { 200: taskSchema }, errors: [404, 409] },
  "POST /api/tasks/{id}/retry": { operationId: "retryTask", tag: "tasks", summary: "Run a finished task again from its prompt", params: byId, ok: { 200: taskSchema }, errors: [404, 409] },
  "POST /api/tasks/{id}/continue": {
    operationId: "continueTask",
    tag: "tasks",
    summary: "Send a finished task a follow-up prompt in the same session",
    params: byId,
    body: taskContinueSchema,
    ok: { 200: taskSchema },
    errors: [404, 409],
  },
  "POST /api/tasks/{id}/merge": {
    operationId: "mergeTask",
    tag: "tasks",
    summary: "Merge the task's branch into the workspace's base branch",
    params: byId,
    body: taskMergeSchema,
    ok: { 200: mergeOutcomeSchema },
    errors: [404, 409],
  },
  "POST /api/tasks/{id}/merge-queue": {
    operationId: "enqueueTaskMerge",
    tag: "tasks",
    summary: "Put a DONE task last in its workspace's merge queue (rebase, check, fast-forward, one at a time)",
    params: byId,
    body: mergeQueueEnqueueSchema,
    ok: { 200: taskSchema },
    errors: [404, 409],
  },
  "DELETE /api/tasks/{id}/merge-queue": {
    operationId: "dequeueTaskMerge",
    tag: "tasks",
    summary: "Take a task out of the merge queue (a stopped rebase in its worktree is aborted)",
    params: byId,
    ok: { 200: taskSchema },
    errors: [404, 409],
  },
  "POST /api/tasks/{id}/push": {
    operationId: "pushTask",
    tag: "tasks",
    summary: "Push the task branch to the workspace's git remote (gitRemote); a refusal comes back with git's message",
    params: byId,
    ok: { 200: taskPushResultSchema },
    errors: [404, 409, 422],
  },
  "POST /api/tasks/{id}/pull-request": {
    operationId: "openTaskPullRequest",
    tag: "tasks",
    summary: "Push and open a pull request (GitHub) or merge request (GitLab) for the task branch, with the token from the settings (githubToken / gitlabToken) or else GITHUB_TOKEN / GITLAB_TOKEN; when one exists, refresh its state",
    params: byId,
    ok: { 200: taskSchema },
    errors: [403, 404, 409, 422],
  },
  "POST /api/tasks/{id}/pull-request/refresh": {
    operationId: "refreshTaskPullRequest",
    tag: "tasks",
    summary: "Ask the forge for the state (open, merged, closed) of the task's pull request now; within 30 s of the last refresh, the stored state (open ones are also refreshed every AI_SLAVE_PR_REFRESH_MS)",
    params: byId,
    ok: { 200: taskSchema },
    errors: [403, 404, 409, 422],
  },
  "GET /api/tasks/{id}/diff": { operationId: "getTaskDiff", tag: "tasks", summary: "The task branch's diff against its base", params: byId, ok: { 200: taskDiffSchema }, errors: [404, 409] },
  "GET /api/tasks/{id}/runs": { operationId: "listTaskRuns", tag: "tasks", summary: "The task's runs, oldest first", params: byId, ok: { 200: runListSchema }, errors: [404] },
  "GET /api/tasks/{id}/terminal": {
    operationId: "getTaskTerminal",
    tag: "tasks",
    summary: "The task's tmux session and directory (the terminal itself is a WebSocket on this path)",
    params: byId,
    ok: { 200: terminalInfoSchema },
    errors: [404, 409],
  },
  "GET /api/tasks/{id}/logs/stream": {
    operationId: "streamTaskLog",
    tag: "tasks",
    summary: "The task's log across its runs as server-sent events",
    params: byId,
    query: taskLogStreamQuerySchema,
    ok: { 200: { sse: "`event: run` ({taskId, runId}) before each run's events, `event: log` with a StoredLogEvent (id `<runId>:<seq>`), `event: end` per finished run." } },
    errors: [404],
  },

  "GET /api/tasks/{id}/comments": { operationId: "listTaskComments", tag: "reviews", summary: "The task's review comments", params: byId, ok: { 200: commentListSchema }, errors: [404] },
  "POST /api/tasks/{id}/comments": {
    operationId: "createTaskComment",
    tag: "reviews",
    summary: "Comment on lines of the task's diff (file null: a general note)",
    params: byId,
    body: commentCreateSchema,
    ok: { 201: commentSchema },
    errors: [404, 409, 422],
  },
  "PATCH /api/comments/{id}": { operationId: "updateComment", tag: "reviews", summary: "Resolve or reopen a comment", params: byId, body: commentPatchSchema, ok: { 200: commentSchema }, errors: [404] },
  "POST /api/tasks/{id}/request-changes": {
    operationId: "requestChanges",
    tag: "reviews",
    summary: "Send every open comment to the agent as one follow-up",
    params: byId,
    ok: { 200: taskSchema },
    errors: [404, 409, 422],
  },
  "POST /api/tasks/{id}/approve": { operationId: "approveTask", tag: "reviews", summary: "Approve a DONE task", params: byId, ok: { 200: taskSchema }, errors: [404, 409] },

  "GET /api/runs/{id}": { operationId: "getRun", tag: "runs", summary: "One run", params: byId, ok: { 200: runSchema }, errors: [404] },
  "GET /api/runs/{id}/logs": { operationId: "getRunLog", tag: "runs", summary: "A page of the run's stored log", params: byId, query: runLogsQuerySchema, ok: { 200: logPageSchema }, errors: [404] },
  "GET /api/runs/{id}/logs/stream": {
    operationId: "streamRunLog",
    tag: "runs",
    summary: "The run's log, stored then live, as server-sent events",
    params: byId,
    query: runLogStreamQuerySchema,
    ok: { 200: { sse: "`event: log` with a StoredLogEvent (id = seq), then `event: end` ({runId, status, errorClass})." } },
    errors: [404],
  },

  "GET /api/settings": {
    operationId: "listSettings",
    tag: "settings",
    summary: "Stored settings (secrets left out), the keys that can be set, and whether a GitHub / GitLab token is set and where from (settings or environment)",
    ok: { 200: settingsResponseSchema },
  },
  "PUT /api/settings/{key}": {
    operationId: "putSetting",
    tag: "settings",
    summary: "Set one setting; a secret (githubToken, gitlabToken: write-only, wins over GITHUB_TOKEN / GITLAB_TOKEN) answers value null, and a PUT of null clears it",
    params: byKey,
    body: settingValueBodySchema,
    ok: { 200: settingSavedSchema },
  },
  "DELETE /api/settings/{key}": { operationId: "deleteSetting", tag: "settings", summary: "Remove one setting (back to its default)", params: byKey, ok: { 204: "empty" }, errors: [404] },

  "POST /api/mcp": {
    operationId: "mcp",
    tag: "mcp",
    summary: "Model Context Protocol (Streamable HTTP, stateless): JSON-RPC messages in, JSON answers out",
    description: "Tools: list_workspaces, list_tasks, get_task, create_task, continue_task, cancel_task, retry_task, get_diff, queue_merge. Use an MCP client rather than calling this by hand.",
    body: mcpMessageSchema,
    ok: { 200: { mcp: true }, 202: "empty" },
    errors: [400, 404, 405, 406, 415],
    errorBody: jsonRpcErrorSchema,
  },
  "GET /api/mcp": { operationId: "mcpStream", tag: "mcp", summary: "Not offered: the MCP server is stateless (405)", ok: {}, errors: [405], errorBody: jsonRpcErrorSchema },
  "DELETE /api/mcp": { operationId: "mcpEndSession", tag: "mcp", summary: "Not offered: the MCP server has no sessions (405)", ok: {}, errors: [405], errorBody: jsonRpcErrorSchema },
};

/** `app/api/tasks/[id]/route.ts` -> `/api/tasks/{id}`. */
export function routePathOf(routeFile: string): string {
  const relative = routeFile.replace(/\\/g, "/").replace(/^.*?\bapp\/api\//, "").replace(/\/?route\.ts$/, "");
  return `/api/${relative}`.replace(/\/$/, "").replace(/\[([^\]]+)\]/g, "{$1}");
}

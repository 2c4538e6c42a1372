import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { apiErrorBodySchema } from "@/lib/schemas/common";
import { boardMessageSchema } from "@/lib/schemas/events";
import { taskDiffSchema } from "@/lib/schemas/git";
import { healthReportSchema, hostResourcesSchema, workspaceHealthSchema } from "@/lib/schemas/health";
import { logPageSchema } from "@/lib/schemas/logs";
import { modelsResponseSchema } from "@/lib/schemas/models";
import { quotaListSchema } from "@/lib/schemas/quota";
import { settingSavedSchema, settingsResponseSchema } from "@/lib/schemas/settings";
import { mergeOutcomeSchema, runListSchema, runSchema, taskListSchema, taskSchema } from "@/lib/schemas/task";
import { terminalInfoSchema } from "@/lib/schemas/terminal";
import { usageReportSchema } from "@/lib/schemas/usage";
import { workspaceListSchema, workspaceSchema } from "@/lib/schemas/workspace";
import { SseReader } from "../logs/sse-client";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Every JSON route, called as Next calls it, answers what its response schema describes: the
 * schema accepts the body and parsing drops nothing (a field the schema lacks would be stripped).
 */
let testDb: TestDb;
let repo: string;

beforeAll(async () => {
  testDb = await useTestDatabase();
  repo = makeGitRepo(testDb.dir);
});
afterAll(async () => testDb.cleanup());

type Handler = (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response>;

async function call(handler: Handler, url: string, method = "GET", body?: unknown, params: Record<string, string> = {}) {
  const response = await handler(jsonRequest(url, method, body), routeContext(params));
  return { status: response.status, body: (await response.json()) as unknown };
}

function expectContract<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data).toEqual(body);
  return parsed.data as z.output<S>;
}

describe("every response matches its schema in lib/schemas", () => {
  let workspaceId: number;
  let taskId: number;

  it("workspaces: create, list, get, update, health, resources", async () => {
    const list = await import("@/app/api/workspaces/route");
    const item = await import("@/app/api/workspaces/[id]/route");
    const created = await call(list.POST, "/api/workspaces", "POST", { name: "contract", path: repo });
    expect(created.status).toBe(201);
    workspaceId = expectContract(workspaceSchema, created.body).id;
    expectContract(workspaceListSchema, (await call(list.GET, "/api/workspaces")).body);
    expectContract(workspaceSchema, (await call(item.GET, "/api/workspaces/x", "GET", undefined, { id: String(workspaceId) })).body);
    const patched = await call(item.PATCH, "/api/workspaces/x", "PATCH", { notes: "n" }, { id: String(workspaceId) });
    expect(expectContract(workspaceSchema, patched.body).notes).toBe("n");
    const health = await import("@/app/api/workspaces/[id]/health/route");
    expect(expectContract(workspaceHealthSchema, (await call(health.GET, "/h", "GET", undefined, { id: String(workspaceId) })).body).isGitRepo).toBe(true);
    const resources = await import("@/app/api/workspaces/[id]/resources/route");
    expect(expectContract(hostResourcesSchema, (await call(resources.GET, "/r", "GET", undefined, { id: String(workspaceId) })).body).cpus).toBeGreaterThan(0);
  });

  it("tasks: create, list, get, update, cancel, retry, continue, terminal", async () => {
    const list = await import("@/app/api/tasks/route");
    const item = await import("@/app/api/tasks/[id]/route");
    const created = await call(list.POST, "/api/tasks", "POST", { prompt: "Write it", workspaceId, backend: "claude_code" });
    expect(created.status).toBe(201);
    taskId = expectContract(taskSchema, created.body).id;
    const params = { id: String(taskId) };
    expectContract(taskListSchema, (await call(list.GET, `/api/tasks?workspaceId=${workspaceId}`)).body);
    expectContract(taskSchema, (await call(item.GET, "/t", "GET", undefined, params)).body);
    expectContract(taskSchema, (await call(item.PATCH, "/t", "PATCH", { title: "Renamed" }, params)).body);
    const cancel = await import("@/app/api/tasks/[id]/cancel/route");
    expect(expectContract(taskSchema, (await call(cancel.POST, "/c", "POST", {}, params)).body).status).toBe("FAILED");
    const retry = await import("@/app/api/tasks/[id]/retry/route");
    expect(expectContract(taskSchema, (await call(retry.POST, "/r", "POST", {}, params)).body).status).toBe("TODO");
    await call(cancel.POST, "/c", "POST", {}, params);
    const cont = await import("@/app/api/tasks/[id]/continue/route");
    expectContract(taskSchema, (await call(cont.POST, "/c", "POST", { prompt: "More" }, params)).body);
    const terminal = await import("@/app/api/tasks/[id]/terminal/route");
    expectContract(terminalInfoSchema, (await call(terminal.GET, "/t", "GET", undefined, params)).body);
  });

  it("runs, a run and a page of its log", async () => {
    const { db } = await import("@/server/db/client");
    const run = await db().run.create({ data: { taskId, kind: "initial", backend: "claude_code", model: "sonnet", prompt: "p", inputTokens: 5, costUsd: 0.5 } });
    const events = [
      { kind: "assistant", text: "hi" },
      { kind: "tool_call", id: "t1", name: "Edit", summary: "a.ts", status: "ok" },
      { kind: "usage", usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.1 } },
      { kind: "line", stream: "stdout", line: "{}" },
    ];
    await db().runLog.createMany({ data: events.map((event, index) => ({ runId: run.id, seq: index + 1, kind: event.kind, data: JSON.stringify(event) })) });
    const runs = await import("@/app/api/tasks/[id]/runs/route");
    expectContract(runListSchema, (await call(runs.GET, "/r", "GET", undefined, { id: String(taskId) })).body);
    const one = await import("@/app/api/runs/[id]/route");
    expectContract(runSchema, (await call(one.GET, "/r", "GET", undefined, { id: String(run.id) })).body);
    const logs = await import("@/app/api/runs/[id]/logs/route");
    const page = expectContract(logPageSchema, (await call(logs.GET, `/api/runs/${run.id}/logs?limit=3`, "GET", undefined, { id: String(run.id) })).body);
    expect(page.items.map((event) => event.kind)).toEqual(["assistant", "tool_call", "usage"]);
    expect(page.nextCursor).toBe("3");
  });

  it("diff and merge outcome", async () => {
    git(repo, "checkout", "-q", "-b", `task-${taskId}`);
    fs.writeFileSync(path.join(repo, "new.txt"), "new\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "add new.txt");
    git(repo, "checkout", "-q", "main");
    const params = { id: String(taskId) };
    const diff = await import("@/app/api/tasks/[id]/diff/route");
    const body = expectContract(taskDiffSchema, (await call(diff.GET, "/d", "GET", undefined, params)).body);
    expect(body.files).toEqual([{ path: "new.txt", status: "added", additions: 1, deletions: 0 }]);
    const merge = await import("@/app/api/tasks/[id]/merge/route");
    expect(expectContract(mergeOutcomeSchema, (await call(merge.POST, "/m", "POST", {}, params)).body).merge.kind).toBe("fast-forward");
  });

  it("settings, models, quota, usage, health", async () => {
    const settings = await import("@/app/api/settings/route");
    const setting = await import("@/app/api/settings/[key]/route");
    expectContract(settingSavedSchema, (await call(setting.PUT, "/s", "PUT", { value: "opus" }, { key: "defaultModel.claude_code" })).body);
    expect(expectContract(settingsResponseSchema, (await call(settings.GET, "/api/settings")).body).values).toEqual({ "defaultModel.claude_code": "opus" });
    const models = await import("@/app/api/models/route");
    const modelList = expectContract(modelsResponseSchema, (await call(models.GET, "/api/models")).body);
    expect(modelList.backends.find((entry) => entry.backend === "claude_code")?.defaultModel).toBe("opus");
    const quota = await import("@/app/api/quota/route");
    expectContract(quotaListSchema, (await call(quota.GET, "/api/quota")).body);
    const usage = await import("@/app/api/usage/route");
    expect(expectContract(usageReportSchema, (await call(usage.GET, "/api/usage?days=7")).body).totals.runs).toBe(1);
    const health = await import("@/app/api/health/route");
    // The gate marks a request that proved its token; without the mark only the status shows.
    const { AUTHENTICATED_HEADER } = await import("@/server/http/gate");
    const authenticated = await health.GET(jsonRequest("/api/health", "GET", undefined, { [AUTHENTICATED_HEADER]: "1" }));
    expectContract(healthReportSchema, await authenticated.json());
    expect(Object.keys((await call(health.GET, "/api/health")).body as object)).toEqual(["status"]);
  });

  it("errors", async () => {
    const item = await import("@/app/api/tasks/[id]/route");
    const missing = await call(item.GET, "/t", "GET", undefined, { id: "999999" });
    expect(missing.status).toBe(404);
    expect(expectContract(apiErrorBodySchema, missing.body).error.code).toBe("not_found:task");
  });

  it("board events on /api/events", async () => {
    const events = await import("@/app/api/events/route");
    const abort = new AbortController();
    const response = await events.GET(new Request("http://127.0.0.1:3000/api/events", { signal: abort.signal }), routeContext());
    const reader = new SseReader(response.body);
    const { services } = await import("@/server/services");
    services().bus.publishBoard({ type: "task.updated", taskId, workspaceId, status: "TODO" });
    services().bus.publishBoard({ type: "quota.changed", provider: "anthropic", state: "EXHAUSTED", resetsAt: null });
    await reader.waitFor(() => reader.ofType("board").length === 2, 5_000, "two board events");
    const [task, quota] = reader.ofType("board").map((event) => expectContract(boardMessageSchema, JSON.parse(event.data)));
    expect(task).toMatchObject({ type: "task.updated", taskId, status: "TODO", seq: expect.any(Number) });
    expect(quota).toMatchObject({ type: "quota.changed", provider: "anthropic", state: "EXHAUSTED" });
    abort.abort();
    await reader.cancel();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let workspaceId: number;
let routes: typeof import("@/app/api/tasks/route");
let itemRoutes: typeof import("@/app/api/tasks/[id]/route");

beforeAll(async () => {
  testDb = await useTestDatabase();
  const { createWorkspace } = await import("@/server/workspaces/service");
  const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
  workspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "w", path: makeGitRepo(testDb.dir) }))).id;
  routes = await import("@/app/api/tasks/route");
  itemRoutes = await import("@/app/api/tasks/[id]/route");
});
afterAll(async () => testDb.cleanup());

async function create(body: Record<string, unknown>) {
  const response = await routes.POST(jsonRequest("/api/tasks", "POST", body));
  return { status: response.status, body: await response.json() };
}
async function taskCount() {
  const { db } = await import("@/server/db/client");
  return db().task.count();
}
const get = async (url: string) => (await routes.GET(jsonRequest(url, "GET"))).json();

describe("tasks API", () => {
  it("creates a TODO task with a derived title, the backend's default model and permission mode", async () => {
    const { status, body } = await create({ prompt: "Add a README section about setup\nwith details", workspaceId, backend: "claude_code" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ number: 1, title: "Add a README section about setup", status: "TODO", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", workspaceId, branch: `task-${body.id}` });
    expect(body.promptHistory).toEqual([expect.objectContaining({ prompt: "Add a README section about setup\nwith details", kind: "initial" })]);
    for (const key of ["failureReason", "worktreePath", "createdAt", "startedAt", "finishedAt", "mergedAt"]) expect(body).toHaveProperty(key);
    const codex = await create({ prompt: "x", workspaceId, backend: "codex_cli", title: "Codex one", model: "gpt-5.4", permissionMode: "read-only" });
    expect(codex.body).toMatchObject({ number: 2, title: "Codex one", model: "gpt-5.4", permissionMode: "read-only" });
  });

  it.each([
    ["a missing prompt", { workspaceId: 1, backend: "claude_code" }, 400],
    ["an empty prompt", { prompt: "   ", workspaceId: 1, backend: "claude_code" }, 400],
    ["a wrong type", { prompt: "x", workspaceId: "one", backend: "claude_code" }, 400],
    ["an unknown backend", { prompt: "x", workspaceId: 1, backend: "gemini" }, 400],
    ["another backend's permission mode", { prompt: "x", workspaceId: 1, backend: "claude_code", permissionMode: "read-only" }, 400],
    ["a model name with shell characters", { prompt: "x", workspaceId: 1, backend: "claude_code", model: "sonnet; rm -rf /" }, 400],
    ["a prompt over 100 KB", { prompt: "é".repeat(51_300), workspaceId: 1, backend: "claude_code" }, 400],
    ["a workspace that does not exist", { prompt: "x", workspaceId: 999, backend: "claude_code" }, 422],
  ])("refuses %s and changes nothing", async (_label, body, status) => {
    const before = await taskCount();
    const response = await create(body);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toBeTruthy();
    expect(await taskCount()).toBe(before);
  });

  it("lists newest first with filters and cursor pagination", async () => {
    for (let index = 0; index < 5; index += 1) await create({ prompt: `bulk ${index}`, workspaceId, backend: "codex_cli" });
    const page1 = await get("/api/tasks?limit=3");
    expect(page1.items.map((task: { title: string }) => task.title)).toEqual(["bulk 4", "bulk 3", "bulk 2"]);
    const page2 = await get(`/api/tasks?limit=3&cursor=${page1.nextCursor}`);
    expect(page2.items.map((task: { title: string }) => task.title)).toEqual(["bulk 1", "bulk 0", "Codex one"]);
    const page3 = await get(`/api/tasks?limit=3&cursor=${page2.nextCursor}`);
    expect(page3.items).toHaveLength(1);
    expect(page3.nextCursor).toBeNull();
    expect((await get(`/api/tasks?workspaceId=${workspaceId}&status=TODO&limit=100`)).items).toHaveLength(7);
    expect((await get("/api/tasks?status=DONE")).items).toHaveLength(0);
    expect((await get("/api/tasks?q=README")).items).toHaveLength(1);
    const bad = await routes.GET(jsonRequest("/api/tasks?status=DOING", "GET"));
    expect(bad.status).toBe(400);
    expect((await routes.GET(jsonRequest("/api/tasks?limit=0", "GET"))).status).toBe(400);
  });

  it("edits title, prompt and model only while TODO", async () => {
    const { body: task } = await create({ prompt: "edit me", workspaceId, backend: "claude_code" });
    const id = String(task.id);
    const edited = await itemRoutes.PATCH(jsonRequest(`/api/tasks/${id}`, "PATCH", { title: "Edited", prompt: "edited prompt", model: "opus" }), routeContext({ id }));
    expect(edited.status).toBe(200);
    const body = await edited.json();
    expect(body).toMatchObject({ title: "Edited", prompt: "edited prompt", model: "opus" });
    expect(body.promptHistory.at(-1).prompt).toBe("edited prompt");
    const forbidden = await itemRoutes.PATCH(jsonRequest(`/api/tasks/${id}`, "PATCH", { backend: "codex_cli" }), routeContext({ id }));
    expect(forbidden.status).toBe(400);

    const { db } = await import("@/server/db/client");
    await db().task.update({ where: { id: task.id }, data: { status: "DONE" } });
    const refused = await itemRoutes.PATCH(jsonRequest(`/api/tasks/${id}`, "PATCH", { title: "Too late" }), routeContext({ id }));
    expect(refused.status).toBe(409);
    expect((await db().task.findUniqueOrThrow({ where: { id: task.id } })).title).toBe("Edited");
  });

  it("deletes a task that is not running and refuses a running one", async () => {
    const { db } = await import("@/server/db/client");
    const { body: running } = await create({ prompt: "running", workspaceId, backend: "claude_code" });
    await db().task.update({ where: { id: running.id }, data: { status: "RUNNING" } });
    const refused = await itemRoutes.DELETE(jsonRequest(`/api/tasks/${running.id}`, "DELETE"), routeContext({ id: String(running.id) }));
    expect(refused.status).toBe(409);
    expect(await db().task.findUnique({ where: { id: running.id } })).not.toBeNull();

    const { body: todo } = await create({ prompt: "doomed", workspaceId, backend: "claude_code" });
    const deleted = await itemRoutes.DELETE(jsonRequest(`/api/tasks/${todo.id}`, "DELETE"), routeContext({ id: String(todo.id) }));
    expect(deleted.status).toBe(204);
    expect(await db().task.findUnique({ where: { id: todo.id } })).toBeNull();
    const again = await itemRoutes.DELETE(jsonRequest(`/api/tasks/${todo.id}`, "DELETE"), routeContext({ id: String(todo.id) }));
    expect(again.status).toBe(404);
  });

  it("lists a task's runs, and 404s for unknown tasks", async () => {
    const runsRoute = await import("@/app/api/tasks/[id]/runs/route");
    const { body: task } = await create({ prompt: "runs", workspaceId, backend: "claude_code" });
    const runs = await runsRoute.GET(jsonRequest(`/api/tasks/${task.id}/runs`, "GET"), routeContext({ id: String(task.id) }));
    expect(await runs.json()).toEqual({ items: [], nextCursor: null });
    const missing = await runsRoute.GET(jsonRequest("/api/tasks/4242/runs", "GET"), routeContext({ id: "4242" }));
    expect(missing.status).toBe(404);
    expect((await itemRoutes.GET(jsonRequest("/api/tasks/4242", "GET"), routeContext({ id: "4242" }))).status).toBe(404);
    expect((await itemRoutes.GET(jsonRequest("/api/tasks/-1", "GET"), routeContext({ id: "-1" }))).status).toBe(400);
  });
});

describe("models and health", () => {
  it("lists models per backend with defaults, availability and quota", async () => {
    const { registerLocalRunner } = await import("@/server/runner/local-runner");
    await registerLocalRunner();
    const { GET } = await import("@/app/api/models/route");
    const body = await (await GET(jsonRequest("/api/models", "GET"))).json();
    const claude = body.backends.find((entry: { backend: string }) => entry.backend === "claude_code");
    const codex = body.backends.find((entry: { backend: string }) => entry.backend === "codex_cli");
    expect(claude).toMatchObject({ defaultModel: "sonnet", available: true, provider: "anthropic", defaultPermissionMode: "acceptEdits" });
    expect(claude.cliVersion).toContain("2.1.331");
    expect(claude.models.map((model: { id: string }) => model.id)).toEqual(expect.arrayContaining(["opus", "sonnet", "haiku", "claude-sonnet-4-5"]));
    expect(codex).toMatchObject({ defaultModel: "gpt-5.5", available: true, provider: "openai" });
    expect(codex.quota.state).toBe("UNKNOWN");
  });

  it("lists Gemini CLI, Qwen Code and opencode from their adapters: free-form models, permission modes, provider, CLI found by its env var", async () => {
    const { agentBinaries } = await import("../../fixtures/agent-env");
    const saved = { ...process.env };
    Object.assign(process.env, { AI_SLAVE_GEMINI_BIN: agentBinaries.gemini, AI_SLAVE_QWEN_BIN: agentBinaries.qwen, AI_SLAVE_OPENCODE_BIN: agentBinaries.opencode });
    try {
      const { registerLocalRunner } = await import("@/server/runner/local-runner");
      await registerLocalRunner();
    } finally {
      for (const name of ["AI_SLAVE_GEMINI_BIN", "AI_SLAVE_QWEN_BIN", "AI_SLAVE_OPENCODE_BIN"]) if (saved[name] === undefined) delete process.env[name];
    }
    const { GET } = await import("@/app/api/models/route");
    const body = await (await GET(jsonRequest("/api/models", "GET"))).json();
    const entry = (backend: string) => body.backends.find((candidate: { backend: string }) => candidate.backend === backend);
    expect(body.backends.map((candidate: { backend: string }) => candidate.backend)).toEqual(["claude_code", "codex_cli", "gemini_cli", "qwen_code", "opencode"]);
    expect(entry("gemini_cli")).toMatchObject({
      label: "Gemini CLI", provider: "google", providerLabel: "Google", available: true, cliVersion: "0.61.0", binEnvVar: "AI_SLAVE_GEMINI_BIN",
      defaultModel: "gemini-2.5-pro", freeFormModels: true, permissionModes: ["plan", "default", "auto_edit", "yolo"], defaultPermissionMode: "auto_edit", costSource: "estimated",
    });
    expect(entry("qwen_code")).toMatchObject({ provider: "qwen", available: true, cliVersion: "0.24.4", defaultPermissionMode: "auto-edit", costSource: "estimated" });
    expect(entry("opencode")).toMatchObject({ provider: "opencode", available: true, cliVersion: "1.18.33", permissionModes: ["plan", "default", "auto"], costSource: "reported" });
    expect(entry("codex_cli").costSource).toBe("estimated");
    expect(entry("gemini_cli").models[0]).toEqual({ id: "gemini-3-pro-preview", label: "Gemini 3 Pro (preview)" });
  });

  it("gives each run its cost source: estimated for CLIs without cost, reported otherwise, null when unknown", async () => {
    const { db } = await import("@/server/db/client");
    const task = await create({ prompt: "x", workspaceId, backend: "gemini_cli" });
    const base = { taskId: task.body.id, kind: "initial", backend: "gemini_cli", model: "gemini-2.5-flash", prompt: "x", status: "DONE" };
    await db().run.create({ data: { ...base, costUsd: 0.000642, costSource: "estimated" } });
    await db().run.create({ data: { ...base, costSource: null } });
    const runsRoute = await import("@/app/api/tasks/[id]/runs/route");
    const body = await (await runsRoute.GET(jsonRequest(`/api/tasks/${task.body.id}/runs`, "GET"), routeContext({ id: String(task.body.id) }))).json();
    expect(body.items.map((run: { costSource: string | null; usage: { costUsd: number } }) => [run.costSource, run.usage.costUsd])).toEqual(
      expect.arrayContaining([["estimated", 0.000642], [null, 0]]),
    );
  });

  it("takes each new backend's own permission modes and free-form model names, and refuses another's", async () => {
    const gemini = await create({ prompt: "x", workspaceId, backend: "gemini_cli", model: "my-gateway-model" });
    expect(gemini.body).toMatchObject({ backend: "gemini_cli", model: "my-gateway-model", permissionMode: "auto_edit" });
    const opencode = await create({ prompt: "x", workspaceId, backend: "opencode", model: "fake/fake-model", permissionMode: "auto" });
    expect(opencode.body).toMatchObject({ model: "fake/fake-model", permissionMode: "auto" });
    const before = await taskCount();
    const wrong = await create({ prompt: "x", workspaceId, backend: "qwen_code", permissionMode: "auto_edit" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: "bad_request:validation", details: { issues: [{ path: "permissionMode" }] } });
    expect(await taskCount()).toBe(before);
  });

  it("reports health with version, database and runner state to an authenticated caller, the status alone to others", async () => {
    const { GET } = await import("@/app/api/health/route");
    const anonymous = await GET(jsonRequest("/api/health", "GET"));
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toBe('{"status":"ok"}');
    // The gate in server.ts sets this header on the requests it authenticated.
    const response = await GET(jsonRequest("/api/health", "GET", undefined, { "x-ai-slave-authenticated": "1" }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", version: "0.1.0", database: { ok: true } });
    expect(body.runner.online).toBe(true);
    expect(body.runner.capabilities.agents.codex_cli.version).toContain("0.169.0");
  });

  it("a poll without the token leaves the event-loop lag window of the authenticated report alone", async () => {
    const { GET } = await import("@/app/api/health/route");
    const authenticated = async () => (await (await GET(jsonRequest("/api/health", "GET", undefined, { "x-ai-slave-authenticated": "1" }))).json()).process.eventLoopDelayMs;
    await authenticated();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await GET(jsonRequest("/api/health", "GET"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The monitor fires every 10 ms: about 210 samples since the first read (still 30 with every
    // firing 60 ms late); had the anonymous poll started a new window, 10 at most.
    expect((await authenticated()).samples).toBeGreaterThan(25);
  });
});

import { expect, test } from "./fixtures";
import { waitForTaskStatus } from "./helpers";

/** The real production server over HTTP: what only a running process can show. */

test("a task created through the API starts at once: route handlers reach the scheduler that instrumentation started", async ({ request }) => {
  const workspace = await (await request.post("/api/workspaces", { data: { name: `api-${Date.now()}`, path: process.env.E2E_REPO } })).json();
  const created = await request.post("/api/tasks", { data: { prompt: "NO_TOOL hello", workspaceId: workspace.id, backend: "claude_code", model: "claude-sonnet-4-5" } });
  expect(created.status()).toBe(201);
  const task = await created.json();
  // The periodic scan is 10 minutes away in this server: only the event path can start it this fast.
  await waitForTaskStatus(request, task.id, "DONE", 15_000);
  const done = await (await request.get(`/api/tasks/${task.id}`)).json();
  expect(new Date(done.startedAt).getTime() - new Date(done.createdAt).getTime()).toBeLessThan(2_000);
  const health = await (await request.get("/api/health")).json();
  expect(health).toMatchObject({ status: "ok", scheduler: { running: true }, runner: { online: true } });
});

test("state-changing requests from another origin are refused", async ({ request }) => {
  const response = await request.post("/api/workspaces", { data: { name: "evil", path: process.env.E2E_REPO }, headers: { origin: "http://evil.example" } });
  expect(response.status()).toBe(403);
  expect((await response.json()).error.code).toBe("forbidden:origin");
});

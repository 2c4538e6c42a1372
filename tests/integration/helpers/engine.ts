import path from "node:path";
import { expect } from "vitest";
import { PROJECT_ROOT, jsonRequest, routeContext } from "./test-env";

/**
 * The fast stub that speaks Claude's stream-json stands in for the agent, each run taking
 * `sleepMs`; the periodic scan is 10 minutes away, so only the event path dispatches.
 */
export async function useStubAgent(sleepMs: number): Promise<void> {
  process.env.AI_SLAVE_CLAUDE_BIN = path.join(PROJECT_ROOT, "tests", "fixtures", "stub-claude.mjs");
  process.env.STUB_SLEEP_MS = String(sleepMs);
  process.env.AI_SLAVE_SCAN_INTERVAL_MS = "600000";
  (await import("@/server/config")).resetConfigForTests();
}

/** Starts the real background services (migrations, runner, scheduler) as instrumentation does. */
export async function startEngine(): Promise<void> {
  const { startServices } = await import("@/server/boot");
  await startServices();
}

export async function stopEngine(): Promise<void> {
  const { stopServices } = await import("@/server/shutdown");
  const { services } = await import("@/server/services");
  await stopServices(500);
  services().started = false;
}

export async function createWorkspace(path: string, extra: Record<string, unknown> = {}): Promise<number> {
  const { POST } = await import("@/app/api/workspaces/route");
  const response = await POST(jsonRequest("/api/workspaces", "POST", { name: `ws-${Math.random().toString(36).slice(2)}`, path, ...extra }));
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

export async function createTask(body: Record<string, unknown>): Promise<number> {
  const { POST } = await import("@/app/api/tasks/route");
  const response = await POST(jsonRequest("/api/tasks", "POST", body));
  const json = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(201);
  return json.id;
}

const ACTION_ROUTES = {
  cancel: () => import("@/app/api/tasks/[id]/cancel/route"),
  continue: () => import("@/app/api/tasks/[id]/continue/route"),
  retry: () => import("@/app/api/tasks/[id]/retry/route"),
  merge: () => import("@/app/api/tasks/[id]/merge/route"),
};

export async function taskAction(id: number, action: keyof typeof ACTION_ROUTES, body?: unknown) {
  const route = await ACTION_ROUTES[action]();
  const response: Response = await route.POST(jsonRequest(`/api/tasks/${id}/${action}`, "POST", body ?? {}), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

export async function getTask(id: number) {
  const { db } = await import("@/server/db/client");
  return db().task.findUniqueOrThrow({ where: { id } });
}

export async function runsOf(id: number) {
  const { db } = await import("@/server/db/client");
  return db().run.findMany({ where: { taskId: id }, orderBy: { id: "asc" } });
}

/** Polls the database until the task reaches one of `statuses`. */
export async function waitForStatus(id: number, statuses: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(id);
    if (statuses.includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${task.status} after ${timeoutMs} ms (${task.failureReason ?? ""})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function logText(runId: number): Promise<string> {
  const { readLog } = await import("@/server/events/log-store");
  return JSON.stringify(await readLog(runId, 0, 100_000));
}

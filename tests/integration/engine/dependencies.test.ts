import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, startEngine, taskAction, stopEngine, waitFor, waitForStatus } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Task dependencies with the real Codex CLI (fake model server) and real git: a chain of three in
 * `merged` mode starts each task only after the one before merged (through the merge queue); a
 * `done`-mode child starts from its parent's branch; bad dependencies are refused with 422.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env, { AI_SLAVE_SCAN_INTERVAL_MS: "500" });
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

const agent = { backend: "codex_cli", model: "gpt-5.5" };

async function chain(tasks: Record<string, unknown>[]) {
  const { POST } = await import("@/app/api/tasks/chain/route");
  const response = await POST(jsonRequest("/api/tasks/chain", "POST", { tasks }));
  return { status: response.status, body: await response.json() };
}

async function patch(id: number, body: unknown) {
  const { PATCH } = await import("@/app/api/tasks/[id]/route");
  const response = await PATCH(jsonRequest(`/api/tasks/${id}`, "PATCH", body), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

async function enqueue(id: number) {
  const route = await import("@/app/api/tasks/[id]/merge-queue/route");
  const response = await route.POST(jsonRequest(`/api/tasks/${id}/merge-queue`, "POST", {}), routeContext({ id: String(id) }));
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
}

describe("dependencies", () => {
  it("a chain of three in merged mode: each starts only after the previous one merged", async () => {
    const repo = makeGitRepo(testDb.dir, "chain");
    const workspaceId = await createWorkspace(repo);
    const created = await chain(["a", "b", "c"].map((name) => ({ ...agent, workspaceId, prompt: `Write it. FILE:${name}.txt` })));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [a, b, c] = created.body.items as { id: number; number: number; dependsOn: number[]; dependencyMode: string }[];
    expect([a!.dependsOn, b!.dependsOn, c!.dependsOn]).toEqual([[], [a!.id], [b!.id]]);
    expect(b!.dependencyMode).toBe("merged");

    await waitForStatus(a!.id, ["DONE"], 120_000);
    // A is DONE but not merged: B keeps waiting, with the reason on the card.
    await waitFor(async () => (await getTask(b!.id)).waitingReason === `waiting for #${a!.number} to merge`, 10_000, "b's waiting reason");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await getTask(b!.id)).status).toBe("TODO");
    expect((await getTask(c!.id)).waitingReason).toBe(`waiting for #${b!.number} to merge`);

    for (const [task, next] of [[a!, b!], [b!, c!]] as const) {
      await waitForStatus(task.id, ["DONE"], 120_000);
      await enqueue(task.id);
      const merged = await waitFor(async () => (await getTask(task.id)).mergedAt, 60_000, `task ${task.id} merged`);
      const started = await waitFor(async () => (await getTask(next.id)).startedAt, 60_000, `task ${next.id} started`);
      expect(started.getTime()).toBeGreaterThanOrEqual(merged.getTime());
    }
    await waitForStatus(c!.id, ["DONE"], 120_000);
    // Each started from the base as the merges left it: c's branch holds a's and b's files.
    for (const file of ["a.txt", "b.txt", "c.txt"]) expect(git(repo, "show", `task-${c!.id}:${file}`)).toContain("hello from fake model");
  }, 400_000);

  it("a done-mode child starts from its parent's branch once the parent is DONE", async () => {
    const repo = makeGitRepo(testDb.dir, "stacked");
    const workspaceId = await createWorkspace(repo);
    const parent = await createTask({ ...agent, workspaceId, prompt: "Write it. FILE:parent.txt" });
    const child = await createTask({ ...agent, workspaceId, prompt: "Write it. FILE:child.txt", dependsOn: [parent], dependencyMode: "done" });
    await waitForStatus(child, ["DONE"], 240_000);
    const parentTask = await getTask(parent);
    expect(parentTask.status).toBe("DONE");
    expect((await getTask(child)).startedAt!.getTime()).toBeGreaterThanOrEqual(parentTask.finishedAt!.getTime());
    expect(() => git(repo, "merge-base", "--is-ancestor", `task-${parent}`, `task-${child}`)).not.toThrow();
    expect(git(repo, "show", `task-${child}:parent.txt`)).toContain("hello from fake model");
    expect(git(repo, "rev-parse", "main")).toBe(git(repo, "rev-list", "--max-parents=0", "main"));
  }, 300_000);

  it("refuses cycles, other workspaces' tasks and a done mode with two parents (422); a failed parent keeps the child waiting until the dependency is removed", async () => {
    const repo = makeGitRepo(testDb.dir, "rules");
    const workspaceId = await createWorkspace(repo);
    const other = await createWorkspace(makeGitRepo(testDb.dir, "rules-other"));
    const parent = await createTask({ ...agent, workspaceId, prompt: "Take long. SLEEP:60000" });
    const foreign = await createTask({ ...agent, workspaceId: other, prompt: "Elsewhere. NO_TOOL" });
    const { POST } = await import("@/app/api/tasks/route");
    const refused = async (body: Record<string, unknown>) => {
      const response = await POST(jsonRequest("/api/tasks", "POST", { ...agent, workspaceId, prompt: "x", ...body }));
      return { status: response.status, code: (await response.json()).error.code as string };
    };
    expect(await refused({ dependsOn: [foreign] })).toEqual({ status: 422, code: "unprocessable:dependency_workspace" });
    expect(await refused({ dependsOn: [999_999] })).toEqual({ status: 422, code: "unprocessable:dependency_unknown" });
    expect(await refused({ dependsOn: [parent, foreign], dependencyMode: "done" })).toEqual({ status: 422, code: "unprocessable:dependency_mode" });

    const child = await createTask({ ...agent, workspaceId, prompt: "Write it. FILE:child.txt", dependsOn: [parent] });
    const grandchild = await createTask({ ...agent, workspaceId, prompt: "Later. NO_TOOL", dependsOn: [child] });
    // child -> grandchild -> child would be a cycle.
    const cycle = await patch(child, { dependsOn: [grandchild] });
    expect([cycle.status, cycle.body.error.code]).toEqual([422, "unprocessable:dependency_cycle"]);
    expect((await getTask(child)).dependsOn).toBe(JSON.stringify([parent]));

    await waitForStatus(parent, ["RUNNING"], 60_000);
    expect((await taskAction(parent, "cancel")).status).toBe(200);
    const { number } = await waitForStatus(parent, ["FAILED"], 60_000);
    const reason = `waiting for #${number} to merge; it failed: retry it or remove the dependency.`;
    await waitFor(async () => (await getTask(child)).waitingReason === reason, 10_000, "the failed parent's reason");
    expect((await getTask(child)).status).toBe("TODO");
    const removed = await patch(child, { dependsOn: [] });
    expect([removed.status, removed.body.dependsOn]).toEqual([200, []]);
    await waitForStatus(child, ["DONE"], 120_000);
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, createWorkspace, runsOf, startEngine, stopEngine, useStubAgent, waitForStatus } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await useTestDatabase();
  await useStubAgent(300);
  await startEngine();
});
afterAll(async () => {
  await stopEngine();
  await testDb.cleanup();
});

describe("scheduler", () => {
  it("runs 10 tasks on a workspace with limit 2: never more than 2 at once, all DONE, one run each", async () => {
    const repo = makeGitRepo(testDb.dir, "load");
    const workspaceId = await createWorkspace(repo, { concurrencyLimit: 2 });
    const { services } = await import("@/server/services");
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const unsubscribe = services().bus.onBoard((event) => {
      if (event.type === "task.started") {
        running += 1;
        peak = Math.max(peak, running);
        order.push(event.taskId);
      }
      if (event.type === "task.finished") running -= 1;
    });
    const ids: number[] = [];
    for (let index = 0; index < 10; index += 1) ids.push(await createTask({ prompt: `FILE:f${index}.txt=${index}`, workspaceId, backend: "claude_code" }));
    for (const id of ids) expect((await waitForStatus(id, ["DONE", "FAILED"], 60_000)).status).toBe("DONE");
    unsubscribe();
    expect(peak).toBe(2);
    expect(order).toEqual(ids);
    for (const [index, id] of ids.entries()) {
      expect(await runsOf(id)).toHaveLength(1);
      expect(git(repo, "show", `task-${id}:f${index}.txt`)).toBe(String(index));
    }
  });

  it("a new task starts at once, without waiting for the periodic scan", async () => {
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "fast"));
    const created = Date.now();
    const id = await createTask({ prompt: "FILE:x.txt=1", workspaceId, backend: "claude_code" });
    await waitForStatus(id, ["RUNNING", "DONE"], 5_000);
    expect(Date.now() - created).toBeLessThan(2_000);
    await waitForStatus(id, ["DONE"]);
  });

  it("two concurrent dispatch passes never start the same task twice", async () => {
    const { Scheduler } = await import("@/server/scheduler/scheduler");
    const { services } = await import("@/server/services");
    await services().scheduler.stop();
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "race"), { concurrencyLimit: 50 });
    const { db } = await import("@/server/db/client");
    for (let index = 0; index < 30; index += 1) {
      await db().task.create({ data: { workspaceId, number: 100 + index, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" } });
    }
    const started: number[] = [];
    const make = () => new Scheduler({ scanIntervalMs: 600_000, runnerMaxConcurrency: 100, execute: async (id) => void started.push(id) });
    const [first, second] = await Promise.all([make().dispatchPass(), make().dispatchPass()]);
    expect(first.length + second.length).toBe(30);
    expect(new Set(started).size).toBe(started.length);
    expect(started).toHaveLength(30);
  });
});

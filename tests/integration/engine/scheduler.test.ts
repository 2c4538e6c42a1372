import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, createWorkspace, runsOf, startEngine, stopEngine, useStubAgent, waitForStatus } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import type { NewTaskView } from "@/server/services";

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

/** A workspace at its limit (one task RUNNING, limit 1) and one with room, and a maker of their tasks (numbered from `firstNumber`). */
async function fullAndOpen(name: string, firstNumber: number) {
  const { db } = await import("@/server/db/client");
  const full = await createWorkspace(makeGitRepo(testDb.dir, `${name}-full`), { concurrencyLimit: 1 });
  const open = await createWorkspace(makeGitRepo(testDb.dir, `${name}-open`), { concurrencyLimit: 5 });
  let number = firstNumber;
  const task = async (workspaceId: number, data: Record<string, unknown> = {}) =>
    db().task.create({ data: { workspaceId, number: number++, title: "t", prompt: "p", backend: "codex_cli", model: "m", permissionMode: "default", ...data } });
  const busy = await task(full, { status: "RUNNING", startedAt: new Date() });
  return { full, open, task, busy };
}

/** Runs `body` with the anthropic account exhausted for an hour, then puts its quota state back. */
async function whileAnthropicExhausted(body: () => Promise<void>): Promise<void> {
  const { db } = await import("@/server/db/client");
  const key = { provider_account: { provider: "anthropic", account: "default" } };
  const before = await db().quotaState.findUnique({ where: key });
  const exhausted = { state: "EXHAUSTED", resetsAt: new Date(Date.now() + 3600_000), lastEvent: "exhausted", note: "test" };
  await db().quotaState.upsert({ where: key, create: { provider: "anthropic", account: "default", ...exhausted }, update: exhausted });
  try {
    await body();
  } finally {
    if (before) await db().quotaState.update({ where: key, data: { state: before.state, resetsAt: before.resetsAt, lastEvent: before.lastEvent, note: before.note } });
    else await db().quotaState.delete({ where: key });
  }
}

/** A scheduler of its own that only records what it would start, and counts its passes. */
async function countingScheduler() {
  const { Scheduler } = await import("@/server/scheduler/scheduler");
  const started: number[] = [];
  const scheduler = new Scheduler({ scanIntervalMs: 600_000, runnerMaxConcurrency: 100, execute: async (id) => void started.push(id) });
  const counted = { scheduler, started, passes: 0 };
  const pass = scheduler.dispatchPass.bind(scheduler);
  scheduler.dispatchPass = async (now?: Date) => {
    counted.passes += 1;
    return pass(now);
  };
  return counted;
}

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
  it("a pass reads only the queue it can act on: a full workspace's plain tasks stay unread, its held, gated and reasoned ones are read", async () => {
    const { Scheduler, queuedTasks } = await import("@/server/scheduler/scheduler");
    const { services } = await import("@/server/services");
    await services().scheduler.stop();
    const { db } = await import("@/server/db/client");
    const made = await fullAndOpen("pass", 200);
    const { full, open } = made;
    const task = async (workspaceId: number, data: Record<string, unknown> = {}) => (await made.task(workspaceId, data)).id;
    const plain = await task(full);
    const held = await task(full, { backend: "claude_code" });
    const gated = await task(full, { dependsOn: JSON.stringify([plain]) });
    const reasoned = await task(full, { waitingReason: "Waiting for something that passed." });
    const startable = await task(open);
    await whileAnthropicExhausted(async () => {
      const ids = (rows: { id: number }[]) => rows.map((row) => row.id).filter((id) => id >= plain);
      expect(ids(queuedTasks([open], ["claude_code"]))).toEqual([held, gated, reasoned, startable]);
      expect(ids(queuedTasks([open, full], []))).toEqual([plain, held, gated, reasoned, startable]);

      const started: number[] = [];
      const schedulerWith = (runnerMaxConcurrency: number) => new Scheduler({ scanIntervalMs: 600_000, runnerMaxConcurrency, execute: async (id) => void started.push(id) });
      // The runner at its own limit: nothing starts, the held task still gets its reason.
      const running = await db().task.count({ where: { status: "RUNNING" } });
      expect(await schedulerWith(running).dispatchPass()).toEqual([]);
      expect((await db().task.findUniqueOrThrow({ where: { id: held } })).waitingReason).toMatch(/^Waiting for quota: /);
      const pass = await schedulerWith(100).dispatchPass();
      expect(pass).toEqual([startable]);
      const reasons = new Map((await db().task.findMany({ where: { id: { in: [plain, held, gated] } }, select: { id: true, waitingReason: true } })).map((row) => [row.id, row.waitingReason]));
      expect(reasons.get(plain)).toBeNull();
      expect(reasons.get(held)).toMatch(/^Waiting for quota: the anthropic limit resets at /);
      const parent = await db().task.findUniqueOrThrow({ where: { id: plain } });
      expect(reasons.get(gated)).toBe(`waiting for #${parent.number} to merge`);
    });
  });

  it("tasks the runner has no room for (a pool's too) say so in one statement, stay unread while it is full, and lose the reason once it has room", async () => {
    const { Scheduler, queuedTasks } = await import("@/server/scheduler/scheduler");
    const { RUNNER_FULL_PREFIX, runnerFullReason } = await import("@/server/scheduler/plan");
    const { services } = await import("@/server/services");
    await services().scheduler.stop();
    const { db } = await import("@/server/db/client");
    // A workspace with room for one, and two tasks for it.
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "runner-full"), { concurrencyLimit: 1 });
    const task = async (number: number) =>
      (await db().task.create({ data: { workspaceId, number, title: "t", prompt: "p", backend: "codex_cli", model: "m", permissionMode: "default" } })).id;
    const first = await task(400);
    const second = await task(401);
    // And a pool whose one member is that workspace, with a task not placed yet.
    const pool = await db().pool.create({ data: { name: "runner-full" } });
    await db().poolMember.create({ data: { poolId: pool.id, workspaceId } });
    const pooled = (await db().task.create({ data: { workspaceId: null, poolId: pool.id, number: 402, title: "t", prompt: "p", backend: "codex_cli", model: "m", permissionMode: "default" } })).id;
    const reasonOf = async (id: number) => (await db().task.findUniqueOrThrow({ where: { id } })).waitingReason;
    const started: number[] = [];
    const schedulerWith = (runnerMaxConcurrency: number) => new Scheduler({ scanIntervalMs: 600_000, runnerMaxConcurrency, execute: async (id) => void started.push(id) });
    const updates: number[] = [];
    const unsubscribe = services().bus.onBoard((event) => {
      if (event.type === "task.updated" && [first, second, pooled].includes(event.taskId)) updates.push(event.taskId);
    });
    try {
      // The runner at its own limit (every running task of the earlier tests counts).
      const full = await db().task.count({ where: { status: "RUNNING" } });
      expect(await schedulerWith(full).dispatchPass()).toEqual([]);
      // Its words (runnerFullReason) depend on the limit, which is 0 when this test runs alone.
      for (const id of [first, second, pooled]) expect(await reasonOf(id)).toBe(runnerFullReason(full));
      expect(runnerFullReason(full).startsWith(RUNNER_FULL_PREFIX)).toBe(true);
      expect(updates.sort()).toEqual([first, second, pooled].sort());
      // Still full: they are not read, and nothing is written for them again.
      expect(queuedTasks([], [], new Date(), true).map((row) => row.id)).not.toContain(first);
      expect(await schedulerWith(full).dispatchPass()).toEqual([]);
      expect(updates).toHaveLength(3);

      // Room on the runner: the first starts, the second now waits for its workspace, like any queued task.
      expect(await schedulerWith(full + 5).dispatchPass()).toEqual([first]);
      expect(started).toEqual([first]);
      expect(await reasonOf(first)).toBeNull();
      expect(await reasonOf(second)).toBeNull();
      // The pool's one member is now at its limit: the pool task says that instead.
      const pooledReason = await reasonOf(pooled);
      expect(pooledReason).toMatch(/^Waiting for /);
      expect(pooledReason!.startsWith(RUNNER_FULL_PREFIX)).toBe(false);
    } finally {
      unsubscribe();
      await db().task.deleteMany({ where: { id: { in: [first, second, pooled] } } });
      await db().pool.delete({ where: { id: pool.id } });
    }
  });

  it("a task in a backoff is not read until it is due, and a backoff months ahead does not wake the scheduler in a loop", async () => {
    const { queuedTasks, nextDue, NEXT_DUE_SQL } = await import("@/server/scheduler/scheduler");
    const { services } = await import("@/server/services");
    await services().scheduler.stop();
    const { db } = await import("@/server/db/client");
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "backoff"), { concurrencyLimit: 5 });
    const far = new Date("2099-01-01T00:00:00Z");
    const soon = new Date(Date.now() + 60_000);
    const task = async (notBefore: Date | null, number: number) =>
      (await db().task.create({ data: { workspaceId, number, title: "t", prompt: "p", backend: "codex_cli", model: "m", permissionMode: "default", notBefore, waitingReason: notBefore ? "Retrying automatically later." : null } })).id;
    const farId = await task(far, 300);
    const soonId = await task(soon, 301);
    try {
      const read = (at: Date) => queuedTasks([workspaceId], [], at).map((row) => row.id).filter((id) => id === farId || id === soonId);
      expect(read(new Date())).toEqual([]);
      expect(read(new Date(soon.getTime() + 1))).toEqual([soonId]);
      expect(read(new Date("2099-01-02T00:00:00Z"))).toEqual([farId, soonId]);
      expect(nextDue(new Date())?.getTime()).toBe(soon.getTime());
      expect(nextDue(new Date(soon.getTime() + 1))?.getTime()).toBe(far.getTime());
      // Read on every pass: from the index, not by scanning the queue.
      const plan = await db().$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${NEXT_DUE_SQL}`, "2026-01-01T00:00:00.000+00:00");
      expect(plan.map((row) => row.detail).join("; ")).toMatch(/COVERING INDEX Task_status_notBefore_idx/);

      // With only the far one left, the next wake-up is past what a Node timer holds (2^31 ms).
      await db().task.delete({ where: { id: soonId } });
      const counted = await countingScheduler();
      counted.scheduler.start();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await counted.scheduler.stop();
      expect(counted.passes).toBe(1);
      expect(counted.started).not.toContain(farId);
    } finally {
      await db().task.deleteMany({ where: { id: { in: [farId, soonId] } } });
    }
  });
  it("a task queued onto a full workspace asks for no pass; one that could start, waits for a parent or has a backend on hold does, and the freed slot starts it", async () => {
    const { workspaceFull } = await import("@/server/scheduler/scheduler");
    const { services } = await import("@/server/services");
    await services().scheduler.stop();
    const { db } = await import("@/server/db/client");
    const { full, open, task, busy } = await fullAndOpen("queued", 500);
    expect(workspaceFull(full)).toBe(true);
    expect(workspaceFull(open)).toBe(false);
    expect(workspaceFull(999_999)).toBe(false);

    const counted = await countingScheduler();
    const { scheduler, started } = counted;
    const passesAfter = async (queued: NewTaskView) => {
      scheduler.queued(queued);
      await scheduler.idle();
      return counted.passes;
    };
    const plain = await task(full);
    expect(await passesAfter(plain)).toBe(0);
    expect(started).toEqual([]);
    expect(await passesAfter(await task(full, { dependsOn: JSON.stringify([plain.id]) }))).toBe(1);
    const startable = await task(open);
    expect(await passesAfter(startable)).toBe(2);
    expect(started).toContain(startable.id);

    // A backend on hold (as the last pass found it): its tasks get a reason wherever they wait.
    await whileAnthropicExhausted(async () => {
      scheduler.poke("quota changed");
      await scheduler.idle();
      expect(counted.passes).toBe(3);
      const held = await task(full, { backend: "claude_code" });
      expect(await passesAfter(held)).toBe(4);
      expect((await db().task.findUniqueOrThrow({ where: { id: held.id } })).waitingReason).toMatch(/^Waiting for quota: /);
      expect(await passesAfter(await task(full, { reviewBackend: "claude_code" }))).toBe(5);
      expect(await passesAfter(await task(full))).toBe(5);
    });

    // The run that frees the slot pokes, as a finished run does: the task queued without a pass starts.
    await db().task.update({ where: { id: busy.id }, data: { status: "DONE", finishedAt: new Date() } });
    expect(workspaceFull(full)).toBe(false);
    scheduler.poke("run finished");
    await scheduler.idle();
    expect(started).toContain(plain.id);
    await scheduler.stop();
  });
});

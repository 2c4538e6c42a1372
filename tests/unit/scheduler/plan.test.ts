import { describe, expect, it } from "vitest";
import type { Provider } from "@/lib/enums";
import { planDispatch, type AccountView, type DispatchInput, type QueuedTask } from "@/server/scheduler/plan";

const now = new Date("2026-11-24T12:00:00Z");
const task = (id: number, fields: Partial<QueuedTask> = {}): QueuedTask => ({ id, workspaceId: 1, provider: "anthropic", notBefore: null, waitingReason: null, ...fields });
const input = (fields: Partial<DispatchInput>): DispatchInput => ({
  queue: [], runningByWorkspace: new Map(), limitByWorkspace: new Map([[1, 2], [2, 1]]), runnerCapacity: 8, accounts: new Map(), now, ...fields,
});

describe("planDispatch", () => {
  it("starts tasks first in, first out up to each workspace's limit", () => {
    const plan = planDispatch(input({ queue: [task(1), task(2), task(3), task(4, { workspaceId: 2 }), task(5, { workspaceId: 2 })] }));
    expect(plan.start).toEqual([1, 2, 4]);
  });

  it("counts what already runs and the runner's capacity", () => {
    expect(planDispatch(input({ queue: [task(1), task(2)], runningByWorkspace: new Map([[1, 1]]) })).start).toEqual([1]);
    expect(planDispatch(input({ queue: [task(1), task(4, { workspaceId: 2 })], runnerCapacity: 1 })).start).toEqual([1]);
    expect(planDispatch(input({ queue: [task(1)], runnerCapacity: 0 })).start).toEqual([]);
  });

  it("holds a backed-off task until its time and wakes then", () => {
    const later = new Date(now.getTime() + 5000);
    const plan = planDispatch(input({ queue: [task(1, { notBefore: later }), task(2)] }));
    expect(plan.start).toEqual([2]);
    expect(plan.wakeAt).toEqual(later);
  });

  it("makes tasks of an exhausted provider wait visibly, and lets others pass", () => {
    const reset = new Date(now.getTime() + 60_000);
    const plan = planDispatch(input({ queue: [task(1), task(2, { provider: "openai" })], accounts: new Map([["anthropic", [{ id: null, label: "default", hold: { until: reset, why: "exhausted" } }]]]) }));
    expect(plan.start).toEqual([2]);
    expect(plan.waiting).toEqual([{ id: 1, reason: `Waiting for quota: the anthropic limit resets at ${reset.toISOString()}.` }]);
    expect(plan.wakeAt).toEqual(reset);
  });

  it("clears the waiting reason when the task can go", () => {
    const plan = planDispatch(input({ queue: [task(1, { waitingReason: "Waiting for quota: old" })] }));
    expect(plan).toMatchObject({ start: [1], waiting: [{ id: 1, reason: null }] });
  });
});

describe("planDispatch with accounts", () => {
  const soon = new Date(now.getTime() + 60_000);
  const later = new Date(now.getTime() + 3_600_000);
  const work = (hold: AccountView["hold"] = null): AccountView => ({ id: 7, label: "work", hold });
  const personal = (hold: AccountView["hold"] = null): AccountView => ({ id: 9, label: "personal", hold });
  const windowHold = (until: Date) => ({ until, why: "5-hour window at 95%" });

  it("gives each task the first free account by priority", () => {
    const plan = planDispatch(input({ queue: [task(1), task(2)], accounts: new Map([["anthropic", [work(), personal()]]]) }));
    expect(plan.start).toEqual([1, 2]);
    expect([...plan.choices.values()]).toEqual([{ accountId: 7, fallback: null }, { accountId: 7, fallback: null }]);
  });

  it("moves new tasks to the next account while the first is held, and back once free", () => {
    const held = planDispatch(input({ queue: [task(1)], accounts: new Map([["anthropic", [work(windowHold(soon)), personal()]]]) }));
    expect(held.choices.get(1)).toEqual({ accountId: 9, fallback: null });
    const free = planDispatch(input({ queue: [task(1)], accounts: new Map([["anthropic", [work(), personal()]]]) }));
    expect(free.choices.get(1)).toEqual({ accountId: 7, fallback: null });
  });

  it("keeps a continued task on its own account, waiting while that one is held", () => {
    const accounts = new Map([["anthropic" as const, [work(), personal(windowHold(soon))]]]);
    const plan = planDispatch(input({ queue: [task(1, { accountId: 9, keepsAccount: true }), task(2, { accountId: 9 })], accounts }));
    expect(plan.start).toEqual([2]);
    expect(plan.choices.get(2)).toEqual({ accountId: 7, fallback: null });
    expect(plan.waiting).toEqual([{ id: 1, reason: `Waiting for quota: anthropic account personal is held (5-hour window at 95%) until ${soon.toISOString()}.` }]);
    expect(plan.wakeAt).toEqual(soon);
  });

  it("holds every task with one shared reason when all accounts are held, waking at the first reset", () => {
    const accounts = new Map([["anthropic" as const, [work(windowHold(later)), personal(windowHold(soon))]]]);
    const queue = Array.from({ length: 200 }, (_, index) => task(index + 1));
    const plan = planDispatch(input({ queue, accounts }));
    expect(plan.start).toEqual([]);
    expect(new Set(plan.waiting.map((entry) => entry.reason)).size).toBe(1);
    expect(plan.waiting[0].reason).toBe(`Waiting for quota: every anthropic account is held (work: 5-hour window at 95%; personal: 5-hour window at 95%); the first is free at ${soon.toISOString()}.`);
    expect(plan.wakeAt).toEqual(soon);
    // Unchanged reasons are not written again.
    const again = planDispatch(input({ queue: queue.map((entry) => ({ ...entry, waitingReason: plan.waiting[0].reason })), accounts }));
    expect(again.waiting).toEqual([]);
  });

  it("runs on the fallback backend's provider when every account is held and the task allows it", () => {
    const accounts = new Map<Provider, AccountView[]>([["anthropic", [work(windowHold(soon))]], ["openai", [{ id: 3, label: "team", hold: null }]]]);
    const plan = planDispatch(input({ queue: [task(1, { fallbackProvider: "openai" }), task(2)], accounts }));
    expect(plan.start).toEqual([1]);
    expect(plan.choices.get(1)).toEqual({ accountId: 3, fallback: `anthropic account work is held (5-hour window at 95%) until ${soon.toISOString()}.` });
    expect(plan.waiting.map((entry) => entry.id)).toEqual([2]);
  });
});

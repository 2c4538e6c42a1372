import { describe, expect, it } from "vitest";
import { planDispatch, type DispatchInput, type QueuedTask } from "@/server/scheduler/plan";

const now = new Date("2026-11-24T12:00:00Z");
const task = (id: number, fields: Partial<QueuedTask> = {}): QueuedTask => ({ id, workspaceId: 1, provider: "anthropic", notBefore: null, waitingReason: null, ...fields });
const input = (fields: Partial<DispatchInput>): DispatchInput => ({
  queue: [], runningByWorkspace: new Map(), limitByWorkspace: new Map([[1, 2], [2, 1]]), runnerCapacity: 8, blockedProviders: new Map(), now, ...fields,
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
    const plan = planDispatch(input({ queue: [task(1), task(2, { provider: "openai" })], blockedProviders: new Map([["anthropic", reset]]) }));
    expect(plan.start).toEqual([2]);
    expect(plan.waiting).toEqual([{ id: 1, reason: `Waiting for quota: the anthropic limit resets at ${reset.toISOString()}.` }]);
    expect(plan.wakeAt).toEqual(reset);
  });

  it("clears the waiting reason when the task can go", () => {
    const plan = planDispatch(input({ queue: [task(1, { waitingReason: "Waiting for quota: old" })] }));
    expect(plan).toMatchObject({ start: [1], waiting: [{ id: 1, reason: null }] });
  });
});

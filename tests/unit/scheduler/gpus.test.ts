import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseNvidiaSmi } from "@/server/resources/parse";
import { gpuIdle, pickGpus } from "@/server/scheduler/gpus";
import { planDispatch, type DispatchInput, type HostView, type QueuedTask } from "@/server/scheduler/plan";

const smi = (name: string) => parseNvidiaSmi(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8"));
const eight = smi("nvidia-smi-8gpu-mixed.csv");
const four = smi("nvidia-smi-4gpu-busy.csv");

describe("GPU choice from nvidia-smi's figures", () => {
  it("counts a GPU idle below 20% memory and 20% utilisation", () => {
    expect(eight.filter(gpuIdle).map((gpu) => gpu.index)).toEqual([1, 2, 3, 5, 7]);
    expect(four.filter(gpuIdle).map((gpu) => gpu.index)).toEqual([0, 2]);
  });

  it("gives the least busy idle GPUs that no running task holds, within the workspace's list", () => {
    // Utilisation first, then memory in use: 5 and 7 (0%, 0 MiB) before 1 (0%, 1 MiB).
    expect(pickGpus(2, eight, [], new Set())).toEqual([5, 7]);
    expect(pickGpus(2, eight, [], new Set([5]))).toEqual([1, 7]);
    expect(pickGpus(3, eight, [0, 1, 2, 3], new Set())).toEqual([1, 2, 3]);
    expect(pickGpus(4, eight, [0, 1, 2, 3], new Set())).toBeNull();
    expect(pickGpus(1, four, [1, 3], new Set())).toBeNull();
    expect(pickGpus(0, four, [], new Set())).toEqual([]);
    expect(pickGpus(1, [], [], new Set())).toBeNull();
  });
});

const now = new Date("2026-11-30T12:00:00Z");
const task = (id: number, fields: Partial<QueuedTask> = {}): QueuedTask => ({ id, workspaceId: 1, provider: "anthropic", notBefore: null, waitingReason: null, ...fields });
const host = (fields: Partial<HostView> = {}): HostView => ({ hostKey: "gpu-box:22", label: "gpu-box", freeMemoryMb: 40_000, minFreeMemoryMb: 2048, gpus: eight, allowedGpus: [], ...fields });
const input = (fields: Partial<DispatchInput>): DispatchInput => ({
  queue: [], runningByWorkspace: new Map(), limitByWorkspace: new Map([[1, 8], [2, 8]]), runnerCapacity: 16, accounts: new Map(), now, ...fields,
});

describe("admission in planDispatch", () => {
  it("starts nothing on a host whose free memory is below the workspace's minimum, with one reason", () => {
    const plan = planDispatch(input({ queue: [task(1), task(2), task(3, { workspaceId: 2 })], hosts: new Map([[1, host({ freeMemoryMb: 1500 })], [2, host({ hostKey: "b", label: "b" })]]) }));
    expect(plan.start).toEqual([3]);
    const reason = "Waiting for memory on gpu-box: an agent starts there once 2048 MB are free.";
    expect(plan.waiting).toEqual([{ id: 1, reason }, { id: 2, reason }]);
  });

  it("admits when memory is unknown or the check is off", () => {
    expect(planDispatch(input({ queue: [task(1)], hosts: new Map([[1, host({ freeMemoryMb: null })]]) })).start).toEqual([1]);
    expect(planDispatch(input({ queue: [task(1)], hosts: new Map([[1, host({ freeMemoryMb: 10, minFreeMemoryMb: 0 })]]) })).start).toEqual([1]);
  });

  it("gives GPUs held by no running task, none twice in a pass, and holds the task that finds none", () => {
    const plan = planDispatch(input({
      queue: [task(1, { gpus: 2 }), task(2, { gpus: 2 }), task(3, { gpus: 2 }), task(4)],
      hosts: new Map([[1, host()]]),
      heldGpus: new Map([["gpu-box:22", new Set([3])]]),
    }));
    expect(plan.start).toEqual([1, 2, 4]);
    expect(plan.choices.get(1)?.gpuIndices).toEqual([5, 7]);
    expect(plan.choices.get(2)?.gpuIndices).toEqual([1, 2]);
    expect(plan.choices.get(4)?.gpuIndices).toBeUndefined();
    expect(plan.waiting).toEqual([{ id: 3, reason: "Waiting for 2 idle GPUs on gpu-box." }]);
  });

  it("a host without GPU figures holds a task that asks for one", () => {
    const plan = planDispatch(input({ queue: [task(1, { gpus: 1 })], hosts: new Map([[1, host({ gpus: null })]]) }));
    expect(plan.waiting).toEqual([{ id: 1, reason: "Waiting for 1 idle GPU on gpu-box." }]);
  });
});

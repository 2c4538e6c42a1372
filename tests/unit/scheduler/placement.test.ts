import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseNvidiaSmi } from "@/server/resources/parse";
import { planDispatch, type DispatchInput, type HostView, type PoolView, type QueuedTask } from "@/server/scheduler/plan";

const smi = (name: string) => parseNvidiaSmi(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8"));
const four = smi("nvidia-smi-4gpu-busy.csv");
const eight = smi("nvidia-smi-8gpu-mixed.csv");

const now = new Date("2026-11-30T12:00:00Z");
const pool: PoolView = { name: "gpu-boxes", members: [{ id: 1, name: "box-1" }, { id: 2, name: "box-2" }, { id: 3, name: "box-3" }] };
const poolTask = (id: number, fields: Partial<QueuedTask> = {}): QueuedTask => ({ id, workspaceId: null, poolId: 9, provider: "anthropic", notBefore: null, waitingReason: null, ...fields });
const host = (label: string, fields: Partial<HostView> = {}): HostView => ({ hostKey: `${label}:22`, label, freeMemoryMb: 8192, minFreeMemoryMb: 2048, gpus: null, allowedGpus: [], ...fields });
const input = (fields: Partial<DispatchInput>): DispatchInput => ({
  queue: [],
  runningByWorkspace: new Map(),
  limitByWorkspace: new Map([[1, 3], [2, 3], [3, 3]]),
  runnerCapacity: 20,
  accounts: new Map(),
  pools: new Map([[9, pool]]),
  hosts: new Map([[1, host("10.0.0.1")], [2, host("10.0.0.2")], [3, host("10.0.0.3")]]),
  now,
  ...fields,
});
const placedOn = (plan: ReturnType<typeof planDispatch>) => plan.start.map((id) => plan.choices.get(id)?.workspaceId);

describe("placing pool tasks", () => {
  it("puts each task on the member with the most free slots, spreading a burst over the pool", () => {
    const plan = planDispatch(input({ queue: [1, 2, 3, 4, 5, 6].map((id) => poolTask(id)), runningByWorkspace: new Map([[1, 1]]) }));
    // Free slots 2/3/3: box-2, box-3 (ties by member order), then box-1 (2 free) ... until all are level.
    expect(placedOn(plan)).toEqual([2, 3, 1, 2, 3, 1]);
  });

  it("breaks a tie in free slots by free memory, and says why in the run log's words", () => {
    const hosts = new Map([[1, host("10.0.0.1", { freeMemoryMb: 4096 })], [2, host("10.0.0.2", { freeMemoryMb: 41 * 1024 })], [3, host("10.0.0.3", { freeMemoryMb: null })]]);
    const plan = planDispatch(input({ queue: [poolTask(1)], hosts, runningByWorkspace: new Map([[2, 0], [1, 0], [3, 0]]) }));
    expect(plan.choices.get(1)).toMatchObject({ workspaceId: 2, placement: "Placed on box-2 (10.0.0.2) from pool gpu-boxes: 1/3 slots used, 41 GB free." });
  });

  it("gives a tie to the member placed on least recently when free memory differs only by noise (within 5%)", () => {
    // Like hosts probed a moment apart: 8,300, 8,100 and 8,200 MB free. Ordered by memory alone,
    // box-1 took every tie; by when each was last given a task, box-2 (longest ago) goes first.
    const hosts = new Map([[1, host("10.0.0.1", { freeMemoryMb: 8300 })], [2, host("10.0.0.2", { freeMemoryMb: 8100 })], [3, host("10.0.0.3", { freeMemoryMb: 8200 })]]);
    const lastPlaced = new Map([[1, 3], [2, 1], [3, 2]]);
    expect(placedOn(planDispatch(input({ queue: [poolTask(1)], hosts, lastPlaced })))).toEqual([2]);
    // Pass after pass, each placement goes to the end of the line: the three take turns.
    const turns: (number | undefined)[] = [];
    for (let pass = 0; pass < 6; pass += 1) {
      const [placed] = placedOn(planDispatch(input({ queue: [poolTask(pass + 1)], hosts, lastPlaced })));
      turns.push(placed);
      lastPlaced.set(placed!, Math.max(...lastPlaced.values()) + 1);
    }
    expect(turns).toEqual([2, 3, 1, 2, 3, 1]);
    // A member never placed on comes before all of them.
    expect(placedOn(planDispatch(input({ queue: [poolTask(7)], hosts, lastPlaced: new Map([[1, 1], [2, 2]]) })))).toEqual([3]);
  });

  it("still gives a tie to clearly more free memory, however recently that member was placed on", () => {
    const hosts = new Map([[1, host("10.0.0.1", { freeMemoryMb: 8192 })], [2, host("10.0.0.2", { freeMemoryMb: 41 * 1024 })], [3, host("10.0.0.3", { freeMemoryMb: 7000 })]]);
    expect(placedOn(planDispatch(input({ queue: [poolTask(1)], hosts, lastPlaced: new Map([[2, 9]]) })))).toEqual([2]);
    // With box-2 full: box-1 (8,192 MB) before box-3 (7,000 MB, 15% less), though box-3 waited longer.
    const busy = new Map([[2, 3]]);
    expect(placedOn(planDispatch(input({ queue: [poolTask(2)], hosts, runningByWorkspace: busy, lastPlaced: new Map([[1, 5], [3, 1]]) })))).toEqual([1]);
  });

  it("gives a member below its minFreeMemoryMb nothing", () => {
    const hosts = new Map([[1, host("10.0.0.1", { freeMemoryMb: 1000 })], [2, host("10.0.0.2", { freeMemoryMb: 900 })], [3, host("10.0.0.3", { freeMemoryMb: 3000 })]]);
    const plan = planDispatch(input({ queue: [1, 2, 3].map((id) => poolTask(id)), hosts }));
    expect(placedOn(plan)).toEqual([3, 3, 3]);
  });

  it("makes the tasks wait with the pool's reason when no member has a free slot, memory or an answer", () => {
    const full = planDispatch(input({ queue: [poolTask(1), poolTask(2)], runningByWorkspace: new Map([[1, 3], [2, 3], [3, 3]]) }));
    expect(full.start).toEqual([]);
    expect(full.waiting).toEqual([
      { id: 1, reason: "Waiting for a free slot in pool gpu-boxes: all 3 members are busy." },
      { id: 2, reason: "Waiting for a free slot in pool gpu-boxes: all 3 members are busy." },
    ]);

    const low = host("10.0.0.1", { freeMemoryMb: 100, minFreeMemoryMb: 4096 });
    const memory = planDispatch(input({ queue: [poolTask(1)], hosts: new Map([[1, low], [2, { ...low, label: "10.0.0.2" }], [3, { ...low, away: true }]]) }));
    expect(memory.waiting).toEqual([
      { id: 1, reason: "Waiting for room in pool gpu-boxes: memory on 10.0.0.1: an agent starts there once 4096 MB are free; memory on 10.0.0.2: an agent starts there once 4096 MB are free." },
    ]);

    const gone = planDispatch(input({ queue: [poolTask(1)], hosts: new Map([1, 2, 3].map((id) => [id, host(`10.0.0.${id}`, { away: true })])) }));
    expect(gone.waiting[0]?.reason).toBe("Waiting for pool gpu-boxes: the members with a free slot do not answer (box-1, box-2, box-3).");
    // The same words as last time: nothing to write.
    expect(planDispatch(input({ queue: [poolTask(1, { waitingReason: gone.waiting[0]!.reason })], hosts: new Map([1, 2, 3].map((id) => [id, host(`10.0.0.${id}`, { away: true })])) })).waiting).toEqual([]);
  });

  it("leaves out a member that stopped answering: the queued tasks go to the others", () => {
    const hosts = new Map([[1, host("10.0.0.1")], [2, host("10.0.0.2", { away: true })], [3, host("10.0.0.3")]]);
    expect(placedOn(planDispatch(input({ queue: [1, 2, 3, 4].map((id) => poolTask(id)), hosts })))).toEqual([1, 3, 1, 3]);
  });

  it("places a task asking for GPUs where enough are idle and unheld, recorded nvidia-smi figures", () => {
    // box-1: four GPUs, 0 and 2 idle; box-2: eight, 1 2 3 5 7 idle; box-3: no GPUs.
    const hosts = new Map([[1, host("10.0.0.1", { gpus: four })], [2, host("10.0.0.2", { gpus: eight })], [3, host("10.0.0.3", { gpus: [] })]]);
    const plan = planDispatch(input({ queue: [poolTask(1, { gpus: 3 }), poolTask(2, { gpus: 2 }), poolTask(3, { gpus: 2 }), poolTask(4, { gpus: 1 })], hosts, runningByWorkspace: new Map([[1, 0]]) }));
    expect(placedOn(plan)).toEqual([2, 1, 2]);
    expect(plan.choices.get(1)).toMatchObject({ gpuIndices: [1, 5, 7], placement: "Placed on box-2 (10.0.0.2) from pool gpu-boxes: 1/3 slots used, 8.0 GB free, GPUs 1, 5, 7 idle." });
    expect(plan.choices.get(2)?.gpuIndices).toEqual([0, 2]);
    expect(plan.choices.get(3)?.gpuIndices).toEqual([2, 3]);
    // Nothing idle is left: task 4 waits, naming each member.
    expect(plan.waiting).toEqual([{ id: 4, reason: "Waiting for room in pool gpu-boxes: 1 idle GPU on 10.0.0.1; 1 idle GPU on 10.0.0.2; 1 idle GPU on 10.0.0.3." }]);
  });

  it("keeps a placed task (retry, continue) on its workspace, even with room elsewhere", () => {
    const plan = planDispatch(input({ queue: [poolTask(1, { workspaceId: 1 }), poolTask(2)], runningByWorkspace: new Map([[1, 2]]) }));
    expect(plan.start).toEqual([1, 2]);
    expect(plan.choices.get(1)?.workspaceId).toBeUndefined();
    expect(plan.choices.get(2)?.workspaceId).toBe(2);
    const full = planDispatch(input({ queue: [poolTask(1, { workspaceId: 1 })], runningByWorkspace: new Map([[1, 3]]) }));
    expect(full.start).toEqual([]);
  });

  it("counts the runner's capacity and a pool that is gone", () => {
    expect(planDispatch(input({ queue: [poolTask(1), poolTask(2)], runnerCapacity: 1 })).start).toEqual([1]);
    expect(planDispatch(input({ queue: [poolTask(1, { poolId: 4 })] })).waiting[0]?.reason).toMatch(/pool is gone/);
  });
});

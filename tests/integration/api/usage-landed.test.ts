import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../helpers/engine";
import { jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * The usage report's cost per merged task and the spend on tasks that never merged, split by
 * failed, deleted and abandoned; deleting a task (or its workspace) changes no total.
 */

let testDb: TestDb;

beforeAll(async () => {
  testDb = await useTestDatabase();
});

afterAll(async () => {
  await testDb.cleanup();
});

const DAY = 24 * 60 * 60 * 1000;
let number = 0;

interface TaskSpec {
  workspaceId: number;
  model: string;
  status: string;
  merged?: boolean;
  pullRequestState?: "open" | "merged" | "closed";
  finishedDaysAgo?: number;
  costs: number[];
}

async function task(spec: TaskSpec): Promise<number> {
  const { db } = await import("@/server/db/client");
  number += 1;
  const row = await db().task.create({
    data: {
      workspaceId: spec.workspaceId, number, title: "t", prompt: "p", backend: "claude_code", model: spec.model, permissionMode: "acceptEdits", status: spec.status,
      mergedAt: spec.merged ? new Date() : null,
      finishedAt: spec.finishedDaysAgo === undefined ? null : new Date(Date.now() - spec.finishedDaysAgo * DAY),
      pullRequestState: spec.pullRequestState ?? null, pullRequestNumber: spec.pullRequestState ? number : null,
    },
  });
  for (const costUsd of spec.costs) {
    await db().run.create({ data: { taskId: row.id, kind: "initial", backend: "claude_code", model: spec.model, prompt: "p", status: "DONE", costUsd, inputTokens: 100, outputTokens: 10 } });
  }
  return row.id;
}

async function usage() {
  const { GET } = await import("@/app/api/usage/route");
  const response = await GET(jsonRequest("/api/usage?days=7", "GET"));
  expect(response.status).toBe(200);
  return response.json();
}

const spend = (tasks: number, costUsd: number) => ({ tasks, costUsd });

describe("GET /api/usage: landed", () => {
  it("splits the period's cost between merged tasks (per task, per model and workspace) and tasks never merged: failed, abandoned", async () => {
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "landed"));
    const other = await createWorkspace(makeGitRepo(testDb.dir, "landed-other"));
    await task({ workspaceId, model: "opus", status: "DONE", merged: true, costs: [1, 0.5] });
    // Merged on the forge (its pull request), not by the queue: landed all the same.
    await task({ workspaceId, model: "sonnet", status: "DONE", pullRequestState: "merged", costs: [0.5] });
    await task({ workspaceId, model: "opus", status: "FAILED", costs: [2] });
    // DONE and left unmerged for more than 7 days: abandoned; a closed pull request: abandoned.
    await task({ workspaceId: other, model: "sonnet", status: "DONE", finishedDaysAgo: 8, costs: [0.25] });
    await task({ workspaceId: other, model: "sonnet", status: "DONE", finishedDaysAgo: 1, pullRequestState: "closed", costs: [0.125] });
    // DONE yesterday, not merged yet: awaiting, not "never merged".
    await task({ workspaceId: other, model: "opus", status: "DONE", finishedDaysAgo: 1, costs: [4] });
    await task({ workspaceId, model: "opus", status: "RUNNING", costs: [9] });
    const { landed } = await usage();
    expect(landed.totals).toEqual({
      key: "all", mergedTasks: 2, mergedCostUsd: 2, costPerMergedTask: 1, neverMergedTasks: 3, neverMergedCostUsd: 2.375,
      neverMerged: { failed: spend(1, 2), deleted: spend(0, 0), abandoned: spend(2, 0.375) }, awaitingMerge: spend(1, 4),
    });
    expect(landed.byModel).toEqual([
      { key: "opus", mergedTasks: 1, mergedCostUsd: 1.5, costPerMergedTask: 1.5, neverMergedTasks: 1, neverMergedCostUsd: 2, neverMerged: { failed: spend(1, 2), deleted: spend(0, 0), abandoned: spend(0, 0) }, awaitingMerge: spend(1, 4) },
      { key: "sonnet", mergedTasks: 1, mergedCostUsd: 0.5, costPerMergedTask: 0.5, neverMergedTasks: 2, neverMergedCostUsd: 0.375, neverMerged: { failed: spend(0, 0), deleted: spend(0, 0), abandoned: spend(2, 0.375) }, awaitingMerge: spend(0, 0) },
    ]);
    const [mine, theirs] = [workspaceId, other].map((id) => landed.byWorkspace.find((group: { key: string }) => group.key === String(id)));
    expect(mine).toMatchObject({ mergedTasks: 2, mergedCostUsd: 2, costPerMergedTask: 1, neverMergedTasks: 1, neverMergedCostUsd: 2 });
    expect(mine.name).toMatch(/^ws-/);
    expect(theirs).toMatchObject({ mergedTasks: 0, costPerMergedTask: null, neverMergedTasks: 2, neverMergedCostUsd: 0.375, awaitingMerge: spend(1, 4) });
  });

  it("a deleted task's spend stays: totals unchanged, counted under deleted (or merged, had it merged); a refused delete keeps nothing", async () => {
    const { db } = await import("@/server/db/client");
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "deleting"));
    const failed = await task({ workspaceId, model: "haiku", status: "FAILED", costs: [0.75, 0.5] });
    const merged = await task({ workspaceId, model: "haiku", status: "DONE", merged: true, costs: [0.0625] });
    const running = await task({ workspaceId, model: "haiku", status: "RUNNING", costs: [3] });
    const before = await usage();
    const haiku = (report: { landed: { byModel: { key: string }[] } }) => report.landed.byModel.find((group) => group.key === "haiku");
    expect(haiku(before)).toMatchObject({ mergedTasks: 1, neverMerged: { failed: spend(1, 1.25), deleted: spend(0, 0) } });

    const { DELETE } = await import("@/app/api/tasks/[id]/route");
    const remove = async (id: number) => (await DELETE(jsonRequest(`/api/tasks/${id}`, "DELETE"), routeContext({ id: String(id) }))).status;
    expect(await remove(running)).toBe(409);
    expect(await db().deletedRunUsage.count()).toBe(0);
    expect(await remove(failed)).toBe(204);
    expect(await remove(merged)).toBe(204);
    expect(await db().run.count({ where: { taskId: { in: [failed, merged] } } })).toBe(0);

    const after = await usage();
    // Every figure of the report is the same: tokens, cost, runs, per backend, model, workspace and day.
    for (const part of ["totals", "byBackend", "byModel", "byWorkspace", "byDay"] as const) expect(after[part]).toEqual(before[part]);
    expect(haiku(after)).toMatchObject({ mergedTasks: 1, mergedCostUsd: 0.0625, neverMergedTasks: 1, neverMergedCostUsd: 1.25, neverMerged: { failed: spend(0, 0), deleted: spend(1, 1.25) } });
    expect(after.landed.totals.neverMerged.deleted).toEqual(spend(1, 1.25));
    expect(after.landed.totals.mergedCostUsd).toBe(before.landed.totals.mergedCostUsd);
    expect(after.landed.totals.neverMergedCostUsd).toBe(before.landed.totals.neverMergedCostUsd);
  });

  it("deleting a workspace keeps its tasks' spend under its name", async () => {
    const name = `gone-${Date.now()}`;
    const { POST } = await import("@/app/api/workspaces/route");
    const created = await POST(jsonRequest("/api/workspaces", "POST", { name, path: makeGitRepo(testDb.dir, "gone") }));
    const workspaceId = (await created.json()).id as number;
    await task({ workspaceId, model: "sonnet", status: "DONE", finishedDaysAgo: 10, costs: [0.5] });
    await task({ workspaceId, model: "sonnet", status: "DONE", merged: true, costs: [0.25] });
    const before = await usage();
    const { DELETE } = await import("@/app/api/workspaces/[id]/route");
    expect((await DELETE(jsonRequest(`/api/workspaces/${workspaceId}`, "DELETE"), routeContext({ id: String(workspaceId) }))).status).toBe(204);
    const after = await usage();
    for (const part of ["totals", "byBackend", "byModel", "byWorkspace", "byDay"] as const) expect(after[part]).toEqual(before[part]);
    const gone = after.landed.byWorkspace.find((group: { key: string }) => group.key === String(workspaceId));
    expect(gone).toMatchObject({ name, mergedTasks: 1, mergedCostUsd: 0.25, neverMerged: { deleted: spend(1, 0.5), abandoned: spend(0, 0) } });
    expect(after.byWorkspace.find((group: { key: string }) => group.key === String(workspaceId))).toMatchObject({ name, costUsd: 0.75, runs: 2 });
  });
});

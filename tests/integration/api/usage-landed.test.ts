import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../helpers/engine";
import { jsonRequest, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

/** The usage report's cost per merged task and the spend on finished tasks that never merged. */

let testDb: TestDb;

beforeAll(async () => {
  testDb = await useTestDatabase();
});

afterAll(async () => {
  await testDb.cleanup();
});

describe("GET /api/usage: landed", () => {
  it("splits the period's cost between merged tasks (per task, per model and workspace) and finished tasks never merged", async () => {
    const { db } = await import("@/server/db/client");
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "landed"));
    const other = await createWorkspace(makeGitRepo(testDb.dir, "landed-other"));
    let number = 0;
    const task = async (ws: number, model: string, status: string, merged: boolean, costs: number[]) => {
      number += 1;
      const row = await db().task.create({ data: { workspaceId: ws, number, title: "t", prompt: "p", backend: "claude_code", model, permissionMode: "acceptEdits", status, mergedAt: merged ? new Date() : null } });
      for (const costUsd of costs) await db().run.create({ data: { taskId: row.id, kind: "initial", backend: "claude_code", model, prompt: "p", status: "DONE", costUsd } });
    };
    await task(workspaceId, "opus", "DONE", true, [1, 0.5]);
    await task(workspaceId, "sonnet", "DONE", true, [0.5]);
    await task(workspaceId, "opus", "FAILED", false, [2]);
    await task(other, "sonnet", "DONE", false, [0.25]);
    await task(workspaceId, "opus", "RUNNING", false, [9]);
    const { GET } = await import("@/app/api/usage/route");
    const response = await GET(jsonRequest("/api/usage?days=7", "GET"));
    expect(response.status).toBe(200);
    const { landed } = await response.json();
    expect(landed.totals).toEqual({ key: "all", mergedTasks: 2, mergedCostUsd: 2, costPerMergedTask: 1, neverMergedTasks: 2, neverMergedCostUsd: 2.25 });
    expect(landed.byModel).toEqual([
      { key: "opus", mergedTasks: 1, mergedCostUsd: 1.5, costPerMergedTask: 1.5, neverMergedTasks: 1, neverMergedCostUsd: 2 },
      { key: "sonnet", mergedTasks: 1, mergedCostUsd: 0.5, costPerMergedTask: 0.5, neverMergedTasks: 1, neverMergedCostUsd: 0.25 },
    ]);
    const [mine, theirs] = [workspaceId, other].map((id) => landed.byWorkspace.find((group: { key: string }) => group.key === String(id)));
    expect(mine).toMatchObject({ mergedTasks: 2, mergedCostUsd: 2, costPerMergedTask: 1, neverMergedTasks: 1, neverMergedCostUsd: 2 });
    expect(mine.name).toMatch(/^ws-/);
    expect(theirs).toMatchObject({ mergedTasks: 0, costPerMergedTask: null, neverMergedTasks: 1, neverMergedCostUsd: 0.25 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, taskAction } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Tasks that target a pool, through the API, with no scheduler running (so they stay unplaced):
 * exactly one of workspaceId / poolId, 404 and 422 that change nothing, a 409 for what needs a
 * host before placement, the members' boards, and the number a placement keeps or takes.
 */

let testDb: TestDb;
const ws = { a: 0, b: 0, c: 0, outside: 0 };
let poolId = 0;

async function post(body: unknown) {
  const { POST } = await import("@/app/api/tasks/route");
  const response = await POST(jsonRequest("/api/tasks", "POST", body));
  return { status: response.status, body: await response.json() };
}

async function taskCount(): Promise<number> {
  const { db } = await import("@/server/db/client");
  return db().task.count();
}

async function listFor(workspaceId: number) {
  const { GET } = await import("@/app/api/tasks/route");
  const response = await GET(jsonRequest(`/api/tasks?workspaceId=${workspaceId}&status=TODO&sort=queue`, "GET"));
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { id: number }[] }).items.map((item) => item.id);
}

async function countsFor(workspaceId: number) {
  const { GET } = await import("@/app/api/tasks/counts/route");
  const response = await GET(jsonRequest(`/api/tasks/counts?workspaceId=${workspaceId}`, "GET"));
  return ((await response.json()) as { counts: Record<string, number> }).counts;
}

async function pool(method: "POST" | "PATCH" | "DELETE", body?: unknown, id?: number) {
  if (method === "POST") {
    const { POST } = await import("@/app/api/pools/route");
    const response = await POST(jsonRequest("/api/pools", "POST", body));
    return { status: response.status, body: await response.json() };
  }
  const route = await import("@/app/api/pools/[id]/route");
  const response: Response = await route[method](jsonRequest(`/api/pools/${id}`, method, body), routeContext({ id: String(id) }));
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

const prompt = "Do the pool thing.";

beforeAll(async () => {
  testDb = await useTestDatabase();
  const origin = makeGitRepo(testDb.dir, "origin");
  for (const name of ["a", "b", "c"] as const) {
    git(testDb.dir, "clone", "-q", origin, `${testDb.dir}/${name}`);
    ws[name] = await createWorkspace(`${testDb.dir}/${name}`);
  }
  ws.outside = await createWorkspace(makeGitRepo(testDb.dir, "outside"));
  const created = await pool("POST", { name: "clones", workspaceIds: [ws.a, ws.b] });
  expect(created.status).toBe(201);
  poolId = created.body.id;
});

afterAll(async () => testDb.cleanup());

describe("tasks for a pool", () => {
  it("takes exactly one of workspaceId or poolId; a bad target is refused and creates nothing", async () => {
    const before = await taskCount();
    const both = await post({ prompt, backend: "claude_code", workspaceId: ws.a, poolId });
    expect(both.status).toBe(422);
    expect(both.body.error.code).toBe("unprocessable:task_target");
    expect((await post({ prompt, backend: "claude_code" })).body.error.code).toBe("unprocessable:task_target");
    const unknown = await post({ prompt, backend: "claude_code", poolId: 987_654 });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "not_found:pool" } } });
    const stacked = await post({ prompt, backend: "claude_code", poolId, dependsOn: [1] });
    expect(stacked).toMatchObject({ status: 422, body: { error: { code: "unprocessable:dependency_pool" } } });
    expect((await post({ prompt, backend: "claude_code", poolId: "1" })).status).toBe(400);
    expect(await taskCount()).toBe(before);
  });

  it("refuses a pool with no members (422)", async () => {
    const lonely = await createWorkspace(`${testDb.dir}/c`, { name: "lonely" });
    const empty = await pool("POST", { name: "soon-empty", workspaceIds: [lonely] });
    const { DELETE } = await import("@/app/api/workspaces/[id]/route");
    expect((await DELETE(jsonRequest(`/api/workspaces/${lonely}`, "DELETE"), routeContext({ id: String(lonely) }))).status).toBe(204);
    const refused = await post({ prompt, backend: "claude_code", poolId: empty.body.id });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: "unprocessable:pool_empty" } } });
  });

  it("creates an unplaced task: workspaceId null, poolId set, a number free in every member; members' boards list it", async () => {
    const onA = await post({ prompt, backend: "claude_code", workspaceId: ws.a });
    const created = await post({ prompt, backend: "claude_code", poolId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ workspaceId: null, poolId, status: "TODO", number: onA.body.number + 1 });
    const onB = await post({ prompt, backend: "claude_code", workspaceId: ws.b });
    expect(onB.body.number).toBe(created.body.number + 1);

    expect(await listFor(ws.a)).toEqual([onA.body.id, created.body.id]);
    expect(await listFor(ws.b)).toEqual([created.body.id, onB.body.id]);
    expect(await listFor(ws.outside)).toEqual([]);
    expect((await countsFor(ws.b)).TODO).toBe(2);
    expect((await countsFor(ws.outside)).TODO).toBe(0);
  });

  it("answers 409 task_not_placed for what needs its host before placement; retry queues it for the pool again", async () => {
    const { body: task } = await post({ prompt, backend: "claude_code", poolId });
    const { GET } = await import("@/app/api/tasks/[id]/diff/route");
    const diff = await GET(jsonRequest(`/api/tasks/${task.id}/diff`, "GET"), routeContext({ id: String(task.id) }));
    expect(diff.status).toBe(409);
    expect((await diff.json()).error.code).toBe("conflict:task_not_placed");
    expect((await taskAction(task.id, "cancel")).status).toBe(200);
    const merge = await taskAction(task.id, "merge");
    expect(merge).toMatchObject({ status: 409, body: { error: { code: "conflict:task_not_placed" } } });
    const resumed = await taskAction(task.id, "continue", { prompt: "And more." });
    expect(resumed).toMatchObject({ status: 409, body: { error: { code: "conflict:task_not_placed" } } });
    const { terminalTarget } = await import("@/server/terminal/session");
    await expect(terminalTarget(task.id)).rejects.toMatchObject({ code: "conflict:task_not_placed" });
    const retried = await taskAction(task.id, "retry");
    expect(retried).toMatchObject({ status: 200, body: { status: "TODO", workspaceId: null, poolId } });
  });

  it("refuses to delete a pool while tasks wait to be placed from it; an unplaced task deletes like any", async () => {
    const refused = await pool("DELETE", undefined, poolId);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "conflict:pool_has_tasks" } } });
    const { body: task } = await post({ prompt, backend: "claude_code", poolId });
    const { DELETE } = await import("@/app/api/tasks/[id]/route");
    expect((await DELETE(jsonRequest(`/api/tasks/${task.id}`, "DELETE"), routeContext({ id: String(task.id) }))).status).toBe(204);
    const { db } = await import("@/server/db/client");
    expect(await db().task.findUnique({ where: { id: task.id } })).toBeNull();
  });

  it("keeps its number when placed, unless a member that joined later has it already", async () => {
    const { claimTask } = await import("@/server/lifecycle/task-state");
    const { db } = await import("@/server/db/client");
    const kept = await post({ prompt, backend: "claude_code", poolId });
    expect(await claimTask(kept.body.id, new Date(), ws.b)).toBe(true);
    expect(await db().task.findUniqueOrThrow({ where: { id: kept.body.id } })).toMatchObject({ workspaceId: ws.b, number: kept.body.number, status: "RUNNING" });
    // Claimed once: a second placement loses.
    expect(await claimTask(kept.body.id, new Date(), ws.a)).toBe(false);

    const late = await post({ prompt, backend: "claude_code", poolId });
    // Workspace c already counts past that number, then joins the pool.
    for (let n = 0; n < late.body.number; n += 1) await post({ prompt, backend: "claude_code", workspaceId: ws.c });
    expect((await pool("PATCH", { workspaceIds: [ws.a, ws.b, ws.c] }, poolId)).status).toBe(200);
    const next = (await db().workspace.findUniqueOrThrow({ where: { id: ws.c } })).nextTaskNumber;
    expect(await claimTask(late.body.id, new Date(), ws.c)).toBe(true);
    expect((await db().task.findUniqueOrThrow({ where: { id: late.body.id } })).number).toBe(next);
    expect((await db().workspace.findUniqueOrThrow({ where: { id: ws.c } })).nextTaskNumber).toBe(next + 1);
  });
});

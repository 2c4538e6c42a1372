import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let repo: string;
let routes: typeof import("@/app/api/workspaces/route");
let itemRoutes: typeof import("@/app/api/workspaces/[id]/route");

beforeAll(async () => {
  testDb = await useTestDatabase();
  repo = makeGitRepo(testDb.dir);
  routes = await import("@/app/api/workspaces/route");
  itemRoutes = await import("@/app/api/workspaces/[id]/route");
});
afterAll(async () => testDb.cleanup());

async function count(): Promise<number> {
  const { db } = await import("@/server/db/client");
  return db().workspace.count();
}

async function post(body: unknown, headers?: Record<string, string>) {
  const response = await routes.POST(jsonRequest("/api/workspaces", "POST", body, headers));
  return { status: response.status, body: await response.json() };
}

describe("workspaces API", () => {
  it("creates a local workspace on a git repo, defaulting the base branch to the repo's current branch", async () => {
    const { status, body } = await post({ name: "demo", path: repo });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "demo", type: "local", path: repo, baseBranch: "main", concurrencyLimit: 2, loginShell: "bash", gpuIndices: [], notes: "" });
    for (const key of ["id", "host", "port", "user", "identityFile", "containerName"]) expect(body).toHaveProperty(key);
  });

  it("lists, reads, updates and deletes", async () => {
    const list = await (await routes.GET(jsonRequest("/api/workspaces", "GET"))).json();
    expect(list.items).toHaveLength(1);
    expect(list.nextCursor).toBeNull();
    const id = String(list.items[0].id);
    const one = await (await itemRoutes.GET(jsonRequest(`/api/workspaces/${id}`, "GET"), routeContext({ id }))).json();
    expect(one.taskCounts).toEqual({ TODO: 0, RUNNING: 0, DONE: 0, FAILED: 0 });
    const patched = await itemRoutes.PATCH(jsonRequest(`/api/workspaces/${id}`, "PATCH", { concurrencyLimit: 4, gpuIndices: [0, 2], notes: "GPU box" }), routeContext({ id }));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ concurrencyLimit: 4, gpuIndices: [0, 2], notes: "GPU box" });

    const other = makeGitRepo(testDb.dir, "other");
    const created = await post({ name: "to-delete", path: other });
    const deleted = await itemRoutes.DELETE(jsonRequest(`/api/workspaces/${created.body.id}`, "DELETE"), routeContext({ id: String(created.body.id) }));
    expect(deleted.status).toBe(204);
    expect(await count()).toBe(1);
  });

  it.each([
    ["a missing field", { name: "x" }, 400, "bad_request:validation"],
    ["a wrong type", { name: "x", path: "/tmp", concurrencyLimit: "two" }, 400, "bad_request:validation"],
    ["an unknown enum value", { name: "x", path: "/tmp", type: "ftp" }, 400, "bad_request:validation"],
    ["an unknown field", { name: "x", path: "/tmp", colour: "red" }, 400, "bad_request:validation"],
    ["a relative path", { name: "x", path: "repo" }, 400, "bad_request:validation"],
    ["an ssh workspace without host", { name: "x", path: "/srv/repo", type: "ssh" }, 400, "bad_request:validation"],
    ["a path that does not exist", { name: "x", path: "/nonexistent/repo" }, 422, "unprocessable:workspace_path"],
  ])("refuses %s and changes nothing", async (_label, body, status, code) => {
    const before = await count();
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message.length).toBeGreaterThan(5);
    expect(await count()).toBe(before);
  });

  it("refuses a base branch the repo lacks, and a taken name", async () => {
    const before = await count();
    const branch = await post({ name: "x", path: repo, baseBranch: "nope" });
    expect(branch.status).toBe(422);
    expect(branch.body.error.code).toBe("unprocessable:workspace_base_branch");
    const taken = await post({ name: "demo", path: repo });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("conflict:workspace_name");
    expect(await count()).toBe(before);
  });

  it("refuses a directory that is not a git repository with 422", async () => {
    const plain = path.join(testDb.dir, "plain");
    fs.mkdirSync(plain);
    const response = await post({ name: "plain", path: plain });
    expect(response.status).toBe(422);
    expect(response.body.error.message).toContain("not a git repository");
  });

  it("refuses malformed JSON, bad ids and unknown ids", async () => {
    expect((await post("{not json")).status).toBe(400);
    const bad = await itemRoutes.GET(jsonRequest("/api/workspaces/abc", "GET"), routeContext({ id: "abc" }));
    expect(bad.status).toBe(400);
    const missing = await itemRoutes.GET(jsonRequest("/api/workspaces/999", "GET"), routeContext({ id: "999" }));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found:workspace");
    const patchMissing = await itemRoutes.PATCH(jsonRequest("/api/workspaces/999", "PATCH", { notes: "x" }), routeContext({ id: "999" }));
    expect(patchMissing.status).toBe(404);
  });

  it("refuses a cross-site state change and accepts a same-origin one", async () => {
    const before = await count();
    const crossSite = await post({ name: "evil", path: repo }, { origin: "http://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe("forbidden:origin");
    const rebinding = await post({ name: "evil2", path: repo }, { host: "evil.example:3000", origin: "http://evil.example:3000" });
    expect(rebinding.status).toBe(403);
    expect(await count()).toBe(before);
    const sameOrigin = await post({ name: "same-origin", path: makeGitRepo(testDb.dir, "same") }, { origin: "http://127.0.0.1:3000" });
    expect(sameOrigin.status).toBe(201);
  });

  it("refuses to delete a workspace with a running task", async () => {
    const { db } = await import("@/server/db/client");
    const workspace = await db().workspace.findFirstOrThrow({ where: { name: "demo" } });
    await db().task.create({ data: { workspaceId: workspace.id, number: 99, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "RUNNING" } });
    const response = await itemRoutes.DELETE(jsonRequest(`/api/workspaces/${workspace.id}`, "DELETE"), routeContext({ id: String(workspace.id) }));
    expect(response.status).toBe(409);
    expect(await db().workspace.findUnique({ where: { id: workspace.id } })).not.toBeNull();
  });
});

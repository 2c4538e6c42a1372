import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/** Pools over real git repositories: members must hold one repository, else 422 and nothing changes. */

let testDb: TestDb;
let origin: string;
const ids = { a: 0, b: 0, stranger: 0 };

beforeAll(async () => {
  testDb = await useTestDatabase();
  origin = makeGitRepo(testDb.dir, "origin");
  // Two clones of one repository (a shared root commit and remote) and an unrelated repository.
  git(testDb.dir, "clone", "-q", origin, `${testDb.dir}/clone-a`);
  git(testDb.dir, "clone", "-q", origin, `${testDb.dir}/clone-b`);
  git(`${testDb.dir}/clone-b`, "remote", "remove", "origin");
  ids.a = await createWorkspace(`${testDb.dir}/clone-a`);
  ids.b = await createWorkspace(`${testDb.dir}/clone-b`);
  // Its own first commit: makeGitRepo's would have the same hash within the same second.
  const stranger = `${testDb.dir}/stranger`;
  git(testDb.dir, "init", "-q", "-b", "main", stranger);
  writeFileSync(`${stranger}/OTHER.md`, "another project\n");
  git(stranger, "add", ".");
  git(stranger, "-c", "user.name=Other", "-c", "user.email=other@example.com", "commit", "-q", "-m", "unrelated");
  ids.stranger = await createWorkspace(stranger);
});

afterAll(async () => {
  await testDb.cleanup();
});

async function call(method: "GET" | "POST", body?: unknown) {
  const route = await import("@/app/api/pools/route");
  const response: Response = method === "GET" ? await route.GET(jsonRequest("/api/pools", "GET")) : await route.POST(jsonRequest("/api/pools", "POST", body));
  return { status: response.status, body: await response.json() };
}

async function callOne(method: "GET" | "PATCH" | "DELETE", id: number, body?: unknown) {
  const route = await import("@/app/api/pools/[id]/route");
  const response: Response = await route[method](jsonRequest(`/api/pools/${id}`, method, body), routeContext({ id: String(id) }));
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

describe("pools API", () => {
  it("groups clones of one repository (by root commit even without a shared remote)", async () => {
    const created = await call("POST", { name: "app", workspaceIds: [ids.a, ids.b] });
    expect(created).toMatchObject({ status: 201, body: { name: "app", workspaceIds: [ids.a, ids.b].sort((x, y) => x - y) } });
    expect((await callOne("GET", created.body.id)).body).toEqual(created.body);
    expect((await call("GET")).body.items).toEqual([created.body]);
  });

  it("refuses a member holding another repository, an unknown workspace, a taken name, and changes nothing", async () => {
    const [pool] = (await call("GET")).body.items;
    const foreign = await call("POST", { name: "mixed", workspaceIds: [ids.a, ids.stranger] });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.code).toBe("unprocessable:pool_repository");
    expect(foreign.body.error.message).toContain("no shared remote URL or root commit");
    expect((await call("POST", { name: "ghost", workspaceIds: [ids.a, 999_999] })).status).toBe(422);
    expect((await call("POST", { name: "app", workspaceIds: [ids.a] })).status).toBe(409);
    expect((await call("POST", { name: "dup", workspaceIds: [ids.a, ids.a] })).status).toBe(400);
    expect((await call("POST", { name: "empty", workspaceIds: [] })).status).toBe(400);
    const patched = await callOne("PATCH", pool.id, { workspaceIds: [ids.a, ids.stranger] });
    expect(patched.status).toBe(422);
    expect((await call("GET")).body.items).toEqual([pool]);
  });

  it("renames, replaces members, deletes; a deleted workspace leaves its pools", async () => {
    const [pool] = (await call("GET")).body.items;
    expect((await callOne("PATCH", pool.id, { name: "app-renamed", workspaceIds: [ids.b] })).body).toMatchObject({ name: "app-renamed", workspaceIds: [ids.b] });
    const workspaces = await import("@/app/api/workspaces/[id]/route");
    expect((await workspaces.DELETE(jsonRequest(`/api/workspaces/${ids.b}`, "DELETE"), routeContext({ id: String(ids.b) }))).status).toBe(204);
    expect((await callOne("GET", pool.id)).body.workspaceIds).toEqual([]);
    expect((await callOne("DELETE", pool.id)).status).toBe(204);
    expect((await callOne("GET", pool.id)).status).toBe(404);
    expect((await callOne("PATCH", pool.id, { name: "x" })).status).toBe(404);
  });
});

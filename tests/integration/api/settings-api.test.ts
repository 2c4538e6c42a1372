import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => testDb.cleanup());

async function put(key: string, body: unknown) {
  const { PUT } = await import("@/app/api/settings/[key]/route");
  const response = await PUT(jsonRequest(`/api/settings/${key}`, "PUT", body), routeContext({ key }));
  return { status: response.status, body: await response.json() };
}

describe("settings API", () => {
  it("sets a default model that new tasks and /api/models then use", async () => {
    expect((await put("defaultModel.claude_code", { value: "opus" })).status).toBe(200);
    const { createWorkspace } = await import("@/server/workspaces/service");
    const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
    const workspace = await createWorkspace(workspaceCreateSchema.parse({ name: "w", path: makeGitRepo(testDb.dir) }));
    const { POST } = await import("@/app/api/tasks/route");
    const task = await (await POST(jsonRequest("/api/tasks", "POST", { prompt: "x", workspaceId: workspace.id, backend: "claude_code" }))).json();
    expect(task.model).toBe("opus");
    const models = await (await (await import("@/app/api/models/route")).GET(jsonRequest("/api/models", "GET"))).json();
    expect(models.backends.find((entry: { backend: string }) => entry.backend === "claude_code").defaultModel).toBe("opus");
    const { GET } = await import("@/app/api/settings/route");
    expect((await (await GET(jsonRequest("/api/settings", "GET"))).json()).values).toEqual({ "defaultModel.claude_code": "opus" });
  });

  it("refuses unknown keys and invalid values, and changes nothing", async () => {
    expect((await put("logCompaction.compactedThrough", { value: "x" })).status).toBe(400);
    expect((await put("cliPath.claude_code", { value: "relative/claude" })).status).toBe(400);
    expect((await put("defaultBackend", { value: "gemini" })).status).toBe(400);
    expect((await put("remoteCliPath.1.codex_cli", { value: "codex; rm -rf /" })).status).toBe(400);
    expect((await put("hostKey.example:22", { value: "forged" })).status).toBe(400);
    const { db } = await import("@/server/db/client");
    expect(await db().setting.count()).toBe(1);
  });

  it("deletes a pinned host key so a changed key can be trusted, and 404s for a missing one", async () => {
    const { setSetting } = await import("@/server/settings");
    await setSetting("hostKey.gpu1:22", { fingerprint: "SHA256:abc" });
    const { DELETE } = await import("@/app/api/settings/[key]/route");
    const deleted = await DELETE(jsonRequest("/api/settings/hostKey.gpu1:22", "DELETE"), routeContext({ key: "hostKey.gpu1:22" }));
    expect(deleted.status).toBe(204);
    const again = await DELETE(jsonRequest("/api/settings/hostKey.gpu1:22", "DELETE"), routeContext({ key: "hostKey.gpu1:22" }));
    expect(again.status).toBe(404);
  });

  it("prices models over the built-in list (priceTable), refusing a malformed table without changing the stored one", async () => {
    const table = { "fake-model": { input: 1, cachedInput: 0.1, output: 5 }, "gemini-2.5-flash": { input: 0.5, cachedInput: 0.05, output: 3 } };
    expect((await put("priceTable", { value: table })).status).toBe(200);
    const { settings } = await import("@/server/settings");
    const effective = await settings.priceTable();
    expect(effective).toMatchObject(table);
    // The built-in entries the user did not override stay.
    expect(effective["gemini-2.5-pro"]).toEqual({ input: 1.25, cachedInput: 0.125, output: 10 });
    for (const bad of [{ "fake-model": { input: -1, cachedInput: 0, output: 1 } }, { "fake-model": { input: 1, output: 1 } }, { "a b": { input: 1, cachedInput: 0, output: 1 } }, "cheap"]) {
      const refused = await put("priceTable", { value: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("bad_request:validation");
    }
    expect(await settings.priceTable()).toMatchObject(table);
  });

  it("sets the default model of a new backend (defaultModel.gemini_cli), which its new tasks and /api/models use", async () => {
    expect((await put("defaultModel.gemini_cli", { value: "my-gateway/gemini-x" })).status).toBe(200);
    const { db } = await import("@/server/db/client");
    const workspace = await db().workspace.findFirstOrThrow();
    const { POST } = await import("@/app/api/tasks/route");
    const task = await (await POST(jsonRequest("/api/tasks", "POST", { prompt: "x", workspaceId: workspace.id, backend: "gemini_cli" }))).json();
    expect(task).toMatchObject({ model: "my-gateway/gemini-x", permissionMode: "auto_edit" });
    const models = await (await (await import("@/app/api/models/route")).GET(jsonRequest("/api/models", "GET"))).json();
    expect(models.backends.find((entry: { backend: string }) => entry.backend === "gemini_cli")).toMatchObject({ defaultModel: "my-gateway/gemini-x", builtInDefaultModel: "gemini-2.5-pro" });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeForge, type FakeForge } from "../../fixtures/fake-forge";
import { jsonRequest, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";
import { callTaskRoute, doneTaskWithBranch, openPullRequest, repoWithRemote } from "./forge-fixture";

/**
 * The forge token from the settings (githubToken): write-only through the settings API, used in
 * the header the fake GitHub API on 127.0.0.1 receives, winning over GITHUB_TOKEN, and never in
 * an API answer, an error or a log line.
 */

const SETTINGS_TOKEN = "ghp_from_the_settings_page_0123456789";
const ENV_TOKEN = "ghp_from_the_environment_9876543210";

let testDb: TestDb;
let forge: FakeForge;
const logged: string[] = [];

beforeAll(async () => {
  testDb = await useTestDatabase();
  forge = await startFakeForge();
  process.env.GITHUB_API_URL = forge.githubUrl;
  delete process.env.GITHUB_TOKEN;
  for (const level of ["log", "warn", "error", "info"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ")));
  }
});

afterEach(() => {
  for (const line of logged) expect(line).not.toMatch(/ghp_from_the/);
});

afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.GITHUB_TOKEN;
  await forge.close();
  await testDb.cleanup();
});

async function putSetting(key: string, value: unknown) {
  const { PUT } = await import("@/app/api/settings/[key]/route");
  const response = await PUT(jsonRequest(`/api/settings/${key}`, "PUT", { value }), routeContext({ key }));
  return { status: response.status, text: await response.text() };
}

async function deleteSetting(key: string) {
  const { DELETE } = await import("@/app/api/settings/[key]/route");
  return (await DELETE(jsonRequest(`/api/settings/${key}`, "DELETE"), routeContext({ key }))).status;
}

async function getSettings() {
  const { GET } = await import("@/app/api/settings/route");
  const response = await GET(jsonRequest("/api/settings", "GET"));
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, body: JSON.parse(text) };
}

const lastAuthorization = () => forge.recorded.at(-1)?.headers.authorization;

describe("forge token from the settings", () => {
  it("a token set only in the settings reaches the forge in the header; GET settings says it is set, never what it is", async () => {
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: false, githubTokenSource: null, gitlabTokenSet: false, gitlabTokenSource: null });
    const saved = await putSetting("githubToken", SETTINGS_TOKEN);
    expect(saved.status).toBe(200);
    expect(JSON.parse(saved.text)).toEqual({ key: "githubToken", value: null });
    const settings = await getSettings();
    expect(settings.body).toMatchObject({ githubTokenSet: true, githubTokenSource: "settings", gitlabTokenSet: false });
    expect(settings.body.values).toEqual({});
    expect(settings.text).not.toContain(SETTINGS_TOKEN);

    const { repo, workspaceId } = await repoWithRemote(testDb.dir, "tokens");
    const id = await doneTaskWithBranch(repo, workspaceId, 1);
    await openPullRequest(id);
    expect(forge.recorded.map((request) => request.method)).toEqual(["POST"]);
    expect(lastAuthorization()).toBe(`Bearer ${SETTINGS_TOKEN}`);
    // The task's answer carries the pull request, not the token.
    const task = await callTaskRoute(id, "pull-request");
    expect(JSON.stringify(task.body)).not.toContain(SETTINGS_TOKEN);
  });

  it("wins over GITHUB_TOKEN; cleared, the environment's token is used; with neither, a clear 422", async () => {
    process.env.GITHUB_TOKEN = ENV_TOKEN;
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: true, githubTokenSource: "settings" });
    const { repo, workspaceId } = await repoWithRemote(testDb.dir, "precedence");
    const first = await doneTaskWithBranch(repo, workspaceId, 1);
    await openPullRequest(first);
    expect(lastAuthorization()).toBe(`Bearer ${SETTINGS_TOKEN}`);

    expect(await deleteSetting("githubToken")).toBe(204);
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: true, githubTokenSource: "environment" });
    const second = await doneTaskWithBranch(repo, workspaceId, 2);
    await openPullRequest(second);
    expect(lastAuthorization()).toBe(`Bearer ${ENV_TOKEN}`);

    delete process.env.GITHUB_TOKEN;
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: false, githubTokenSource: null });
    const requests = forge.recorded.length;
    const third = await doneTaskWithBranch(repo, workspaceId, 3);
    const refused = await callTaskRoute(third, "pull-request");
    expect([refused.status, refused.body.error.code]).toEqual([422, "unprocessable:forge_token"]);
    expect(refused.body.error.message).toMatch(/No GitHub token: set one in Settings \(githubToken\) or GITHUB_TOKEN/);
    expect(forge.recorded.length).toBe(requests);
    const { db } = await import("@/server/db/client");
    expect((await db().task.findUniqueOrThrow({ where: { id: third } })).pullRequestNumber).toBeNull();
  });

  it("refuses a malformed token with 400 without echoing it, and stores nothing", async () => {
    for (const bad of ["ghp_from_the settings with spaces", "ghp_from_the_header\r\nx-injected: 1", "", 12345]) {
      const refused = await putSetting("githubToken", bad);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).error.code).toBe("bad_request:validation");
      expect(refused.text).not.toContain("ghp_from_the");
    }
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: false });
    const { db } = await import("@/server/db/client");
    expect(await db().setting.count({ where: { key: "githubToken" } })).toBe(0);
  });

  it("a stored value that is not a valid token is ignored with a warning that does not show it", async () => {
    const { setSetting } = await import("@/server/settings");
    await setSetting("githubToken", "ghp_from_the stored bad value");
    logged.length = 0;
    expect((await getSettings()).body).toMatchObject({ githubTokenSet: false, githubTokenSource: null });
    expect(logged.some((line) => line.includes("ignoring the stored value of githubToken") && line.includes("not shown"))).toBe(true);
    expect(await deleteSetting("githubToken")).toBe(204);
  });

  it("a GitLab token is its own setting; PUT null clears a token", async () => {
    expect((await putSetting("gitlabToken", "glpat-from_the_settings")).status).toBe(200);
    const settings = await getSettings();
    expect(settings.body).toMatchObject({ githubTokenSet: false, gitlabTokenSet: true, gitlabTokenSource: "settings" });
    expect(settings.text).not.toContain("glpat-from_the_settings");
    // PUT null clears a secret as DELETE does; a second clear is no error.
    expect(JSON.parse((await putSetting("gitlabToken", null)).text)).toEqual({ key: "gitlabToken", value: null });
    expect((await getSettings()).body).toMatchObject({ gitlabTokenSet: false, gitlabTokenSource: null });
    expect((await putSetting("gitlabToken", null)).status).toBe(200);
    // Not for other settings: null is no valid default model.
    expect((await putSetting("defaultModel.claude_code", null)).status).toBe(400);
  });
});

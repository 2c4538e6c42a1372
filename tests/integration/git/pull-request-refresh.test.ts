import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeForge, type FakeForge } from "../../fixtures/fake-forge";
import { createWorkspace, startEngine, stopEngine } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { until } from "../helpers/until";
import { callTaskRoute, doneTaskWithBranch, openPullRequest, repoWithRemote } from "./forge-fixture";

/**
 * Pull request states kept current against a fake GitHub API on 127.0.0.1 (real HTTP): the
 * periodic pass over open pull requests, started and stopped with the services; the on-demand
 * refresh of one task; a forge that fails changes nothing and is logged once, without the token.
 */

const TOKEN = "ghp_refresh_test_token_abcdef";

let testDb: TestDb;
let forge: FakeForge;

beforeAll(async () => {
  testDb = await useTestDatabase();
  forge = await startFakeForge();
  process.env.GITHUB_API_URL = forge.githubUrl;
  process.env.GITHUB_TOKEN = TOKEN;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await forge.close();
  await testDb.cleanup();
});

async function prState(id: number): Promise<string | null> {
  const { db } = await import("@/server/db/client");
  return (await db().task.findUniqueOrThrow({ where: { id } })).pullRequestState;
}

const gets = () => forge.recorded.filter((request) => request.method === "GET").length;

describe("the periodic pass", () => {
  it("asks only about open pull requests and stores merged and closed", async () => {
    const { repo, workspaceId, project } = await repoWithRemote(testDb.dir, "pass");
    const [a, b, c] = [await doneTaskWithBranch(repo, workspaceId, 1), await doneTaskWithBranch(repo, workspaceId, 2), await doneTaskWithBranch(repo, workspaceId, 3)];
    const numbers = [await openPullRequest(a), await openPullRequest(b), await openPullRequest(c)];
    forge.setState(project, numbers[0]!, "merged");
    forge.setState(project, numbers[1]!, "closed");
    const { refreshOpenPullRequests } = await import("@/server/tasks/pull-request-refresh");
    const before = gets();
    expect(await refreshOpenPullRequests()).toEqual({ checked: 3, changed: 2, failed: 0 });
    expect([await prState(a), await prState(b), await prState(c)]).toEqual(["merged", "closed", "open"]);
    expect(gets() - before).toBe(3);
    for (const request of forge.recorded.slice(-3)) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // Merged and closed ones are not asked about again.
    expect(await refreshOpenPullRequests()).toEqual({ checked: 1, changed: 0, failed: 0 });
    expect(forge.recorded.at(-1)!.url).toBe(`/api/v3/repos/${project}/pulls/${numbers[2]}`);
  });

  it("a failing forge changes nothing and is logged once, without the token, until it answers again", async () => {
    const { repo, workspaceId, project } = await repoWithRemote(testDb.dir, "down");
    const id = await doneTaskWithBranch(repo, workspaceId, 1);
    const number = await openPullRequest(id);
    const { db } = await import("@/server/db/client");
    // Only this workspace's pull request is open now.
    await db().task.updateMany({ where: { id: { not: id }, pullRequestState: "open" }, data: { pullRequestState: "closed" } });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { refreshOpenPullRequests } = await import("@/server/tasks/pull-request-refresh");
    forge.setState(project, number, "merged");
    forge.failAll({ status: 502, body: { message: `Bad gateway (you sent Bearer ${TOKEN})` } });
    expect(await refreshOpenPullRequests()).toEqual({ checked: 1, changed: 0, failed: 1 });
    expect(await refreshOpenPullRequests()).toEqual({ checked: 1, changed: 0, failed: 1 });
    expect(await prState(id)).toBe("open");
    const lines = warn.mock.calls.map((args) => args.join(" "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`task ${id}'s pull request #${number} \\(it stays open\\).*502.*Bad gateway`));
    expect(lines[0]).not.toContain(TOKEN);
    forge.failAll(null);
    expect(await refreshOpenPullRequests()).toEqual({ checked: 1, changed: 1, failed: 0 });
    expect(await prState(id)).toBe("merged");
    warn.mockRestore();
  });

  it("runs with the services every AI_SLAVE_PR_REFRESH_MS and stops with them", async () => {
    const { repo, workspaceId, project } = await repoWithRemote(testDb.dir, "timer");
    const first = await doneTaskWithBranch(repo, workspaceId, 1);
    const second = await doneTaskWithBranch(repo, workspaceId, 2);
    const numbers = [await openPullRequest(first), await openPullRequest(second)];
    process.env.AI_SLAVE_PR_REFRESH_MS = "150";
    const { resetConfigForTests } = await import("@/server/config");
    resetConfigForTests();
    await startEngine();
    try {
      forge.setState(project, numbers[0]!, "merged");
      await until("the pass to store merged", async () => (await prState(first)) === "merged", 10_000, 50);
    } finally {
      await stopEngine();
      delete process.env.AI_SLAVE_PR_REFRESH_MS;
      resetConfigForTests();
    }
    // A pass that was under way when the services stopped has finished by now; no new one starts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    forge.setState(project, numbers[1]!, "closed");
    const asked = gets();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(gets()).toBe(asked);
    expect(await prState(second)).toBe("open");
  });
});

describe("POST /api/tasks/:id/pull-request/refresh", () => {
  it("refreshes one task now, answers the stored state within 30 s, and asks again after", async () => {
    const { repo, workspaceId, project } = await repoWithRemote(testDb.dir, "demand");
    const id = await doneTaskWithBranch(repo, workspaceId, 1);
    const number = await openPullRequest(id);
    forge.setState(project, number, "closed");
    const closed = await callTaskRoute(id, "pull-request/refresh");
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.pullRequest).toEqual({ url: `https://forge.example/${project}/pull/${number}`, state: "closed" });
    forge.setState(project, number, "open");
    const asked = gets();
    const soon = await callTaskRoute(id, "pull-request/refresh");
    expect(soon.body.pullRequest.state).toBe("closed");
    expect(gets()).toBe(asked);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      const reopened = await callTaskRoute(id, "pull-request/refresh");
      expect(reopened.body.pullRequest.state).toBe("open");
      expect(gets()).toBe(asked + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a task without a pull request is a 409, an unknown one a 404; the forge's refusal a 403 that changes nothing", async () => {
    const { repo, workspaceId, project } = await repoWithRemote(testDb.dir, "errors");
    const id = await doneTaskWithBranch(repo, workspaceId, 1);
    const none = await callTaskRoute(id, "pull-request/refresh");
    expect([none.status, none.body.error.code]).toEqual([409, "conflict:no_pull_request"]);
    const unknown = await callTaskRoute(99_999, "pull-request/refresh");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "not_found:task"]);
    const number = await openPullRequest(id);
    forge.setState(project, number, "merged");
    forge.failAll({ status: 401, body: { message: "Bad credentials" } });
    try {
      const denied = await callTaskRoute(id, "pull-request/refresh");
      expect([denied.status, denied.body.error.code]).toEqual([403, "forbidden:forge_auth"]);
      expect(denied.body.error.message).toContain("Bad credentials");
      expect(denied.body.error.message).not.toContain(TOKEN);
      expect(await prState(id)).toBe("open");
    } finally {
      forge.failAll(null);
    }
  });

  it("GitLab merge requests too, with the GitLab token from the settings in PRIVATE-TOKEN", async () => {
    const repo = makeGitRepo(testDb.dir, "gitlab");
    git(repo, "remote", "add", "origin", "git@gitlab.example.com:group/sub/widgets.git");
    const workspaceId = await createWorkspace(repo);
    process.env.GITLAB_API_URL = forge.gitlabUrl;
    const { putSetting } = await import("@/server/settings-api");
    await putSetting("gitlabToken", "glpat-refresh_from_settings");
    try {
      // The merge request as the forge has it (opening one needs a push to gitlab.example.com).
      const created = await fetch(`${forge.gitlabUrl}/projects/${encodeURIComponent("group/sub/widgets")}/merge_requests`, { method: "POST", body: "{}" });
      const { iid, web_url: url } = (await created.json()) as { iid: number; web_url: string };
      const { db } = await import("@/server/db/client");
      const task = await db().task.create({
        data: { workspaceId, number: 1, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "DONE", pullRequestUrl: url, pullRequestNumber: iid, pullRequestState: "open" },
      });
      forge.setState("group/sub/widgets", iid, "merged");
      const refreshed = await callTaskRoute(task.id, "pull-request/refresh");
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect(refreshed.body.pullRequest).toEqual({ url, state: "merged" });
      const request = forge.recorded.at(-1)!;
      expect(request.url).toBe(`/api/v4/projects/${encodeURIComponent("group/sub/widgets")}/merge_requests/${iid}`);
      expect(request.headers["private-token"]).toBe("glpat-refresh_from_settings");
    } finally {
      const { deleteSetting } = await import("@/server/settings-api");
      await deleteSetting("gitlabToken");
      delete process.env.GITLAB_API_URL;
    }
  });
});

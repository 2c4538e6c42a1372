import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeForge, type FakeForge } from "../../fixtures/fake-forge";
import { startSshd, type SshdFixture } from "../../fixtures/sshd";
import { createWorkspace } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Push and pull requests with real git: to a bare repository on this machine and over SSH (the
 * test sshd), and pull requests against a fake GitHub API on 127.0.0.1 that records what it gets.
 */

let testDb: TestDb;
let sshd: SshdFixture;
let forge: FakeForge;
let recorded: FakeForge["recorded"];
/** The fake forge's fixed answers, by "METHOD path". */
let answers: FakeForge["answers"];

beforeAll(async () => {
  testDb = await useTestDatabase();
  sshd = await startSshd();
  forge = await startFakeForge();
  ({ recorded, answers } = forge);
  process.env.GITHUB_API_URL = forge.githubUrl;
  process.env.GITHUB_TOKEN = "ghp_secret_test_token";
}, 60_000);

afterAll(async () => {
  await forge.close();
  await sshd.stop();
  await testDb.cleanup();
});

/** A repository with a DONE task whose branch has one commit, and a bare "remote" at owner/name.git. */
async function setUp(name: string, remoteUrl?: (bare: string) => string) {
  const repo = makeGitRepo(testDb.dir, name);
  const bare = path.join(testDb.dir, "remotes", "acme", `${name}.git`);
  fs.mkdirSync(bare, { recursive: true });
  git(bare, "init", "-q", "--bare", "-b", "main");
  if (remoteUrl) git(repo, "remote", "add", "origin", remoteUrl(bare));
  const workspaceId = await createWorkspace(repo);
  const { db } = await import("@/server/db/client");
  const task = await db().task.create({ data: { workspaceId, number: 1, title: "Add a greeting", prompt: "Add a greeting file.", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "DONE", checkState: "PASSED" } });
  git(repo, "checkout", "-q", "-b", `task-${task.id}`);
  fs.writeFileSync(path.join(repo, "hello.txt"), "hello\n");
  git(repo, "add", "hello.txt");
  git(repo, "commit", "-q", "-m", "greeting");
  git(repo, "checkout", "-q", "main");
  return { repo, bare, workspaceId, id: task.id };
}

async function call(id: number, action: "push" | "pull-request") {
  const route = action === "push" ? await import("@/app/api/tasks/[id]/push/route") : await import("@/app/api/tasks/[id]/pull-request/route");
  const response = await route.POST(jsonRequest(`/api/tasks/${id}/${action}`, "POST"), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

describe("push", () => {
  it("pushes the task branch to a local bare repository; a refused push is a 409 with git's message", async () => {
    const { repo, bare, id } = await setUp("local", (bare) => bare);
    const pushed = await call(id, "push");
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    expect(pushed.body).toEqual({ remote: "origin", branch: `task-${id}`, sha: git(repo, "rev-parse", `task-${id}`) });
    expect(git(bare, "rev-parse", `task-${id}`)).toBe(pushed.body.sha);
    // Rewritten history is not forced over the remote's.
    git(repo, "checkout", "-q", `task-${id}`);
    git(repo, "commit", "-q", "--amend", "-m", "rewritten");
    git(repo, "checkout", "-q", "main");
    const refused = await call(id, "push");
    expect([refused.status, refused.body.error.code]).toEqual([409, "conflict:push_rejected"]);
    expect(refused.body.error.message).toMatch(/rejected|non-fast-forward|fetch first/);
    expect(git(bare, "rev-parse", `task-${id}`)).toBe(pushed.body.sha);
  });

  it("a repository without the remote: 422 naming it", async () => {
    const { id } = await setUp("no-remote");
    const refused = await call(id, "push");
    expect([refused.status, refused.body.error.code]).toEqual([422, "unprocessable:no_remote"]);
    expect(refused.body.error.message).toContain("no remote named origin");
  });

  it("pushes over SSH to the test sshd", async () => {
    const knownHosts = path.join(testDb.dir, "known_hosts");
    fs.writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
    process.env.GIT_SSH_COMMAND = `ssh -i ${sshd.identityFile} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
    try {
      const { bare, id } = await setUp("over-ssh", (bare) => `ssh://${sshd.user}@${sshd.host}:${sshd.port}${bare}`);
      const pushed = await call(id, "push");
      expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
      expect(git(bare, "rev-parse", `task-${id}`)).toBe(pushed.body.sha);
    } finally {
      delete process.env.GIT_SSH_COMMAND;
    }
  }, 60_000);
});

describe("pull requests against a fake GitHub API", () => {
  it("pushes, opens the pull request with the task's text and the token in a header, stores URL and state, refreshes it", async () => {
    const { bare, id } = await setUp("widgets", (bare) => bare);
    recorded.length = 0;
    answers.set("POST /api/v3/repos/acme/widgets/pulls", { status: 201, body: { html_url: "https://github.example/acme/widgets/pull/7", number: 7, state: "open", merged_at: null } });
    const opened = await call(id, "pull-request");
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.pullRequest).toEqual({ url: "https://github.example/acme/widgets/pull/7", state: "open" });
    expect(git(bare, "rev-parse", `task-${id}`)).toBeTruthy();
    expect(recorded).toHaveLength(1);
    const [request] = recorded;
    expect(request!.headers.authorization).toBe("Bearer ghp_secret_test_token");
    expect(request!.body).toMatchObject({ head: `task-${id}`, base: "main", title: "Add a greeting" });
    expect(String(request!.body!.body)).toContain("Add a greeting file.");
    expect(String(request!.body!.body)).toContain("Check: PASSED");

    answers.set("GET /api/v3/repos/acme/widgets/pulls/7", { status: 200, body: { html_url: "https://github.example/acme/widgets/pull/7", number: 7, state: "closed", merged_at: "2026-12-01T00:00:00Z" } });
    const refreshed = await call(id, "pull-request");
    expect(refreshed.body.pullRequest).toEqual({ url: "https://github.example/acme/widgets/pull/7", state: "merged" });
    expect(recorded.map((entry) => `${entry.method} ${entry.url}`)).toEqual(["POST /api/v3/repos/acme/widgets/pulls", "GET /api/v3/repos/acme/widgets/pulls/7"]);
  });

  it("the forge's refusals come back as 4xx with its message; no token: 422", async () => {
    const { id } = await setUp("gadgets", (bare) => bare);
    answers.set("POST /api/v3/repos/acme/gadgets/pulls", { status: 422, body: { message: "Validation Failed", errors: [{ message: "A pull request already exists for acme:task-1." }] } });
    const exists = await call(id, "pull-request");
    expect([exists.status, exists.body.error.code]).toEqual([422, "unprocessable:forge_refused"]);
    expect(exists.body.error.message).toContain("Validation Failed; A pull request already exists for acme:task-1.");
    answers.set("POST /api/v3/repos/acme/gadgets/pulls", { status: 401, body: { message: "Bad credentials" } });
    const denied = await call(id, "pull-request");
    expect([denied.status, denied.body.error.code]).toEqual([403, "forbidden:forge_auth"]);
    expect(denied.body.error.message).toContain("Bad credentials");
    expect(denied.body.error.message).not.toContain("ghp_secret_test_token");
    const token = process.env.GITHUB_TOKEN;
    delete process.env.GITHUB_TOKEN;
    try {
      const missing = await call(id, "pull-request");
      expect([missing.status, missing.body.error.code]).toEqual([422, "unprocessable:forge_token"]);
    } finally {
      process.env.GITHUB_TOKEN = token;
    }
  });
});

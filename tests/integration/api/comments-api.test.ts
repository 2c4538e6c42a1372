import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, runsOf, startEngine, stopEngine, waitForStatus } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/** Human review through the API: line comments, general notes, resolve, request changes, approve. */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let repo: string;
let taskId: number;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

async function call(route: string, method: string, params: Record<string, string>, body?: unknown): Promise<{ status: number; body: Json }> {
  type Handler = (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response>;
  const modules: Record<string, () => Promise<unknown>> = {
    comments: () => import("@/app/api/tasks/[id]/comments/route"),
    comment: () => import("@/app/api/comments/[id]/route"),
    "request-changes": () => import("@/app/api/tasks/[id]/request-changes/route"),
    approve: () => import("@/app/api/tasks/[id]/approve/route"),
  };
  const handler = ((await modules[route]!()) as Record<string, Handler>)[method]!;
  const response = await handler(jsonRequest(`/api/${route}`, method, body), routeContext(params));
  return { status: response.status, body: (await response.json()) as Json };
}

const countComments = async () => (await import("@/server/db/client")).db().reviewComment.count();

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env);
  (await import("@/server/config")).resetConfigForTests();
  repo = makeGitRepo(testDb.dir);
  await startEngine();
  const workspaceId = await createWorkspace(repo);
  taskId = await createTask({ prompt: "Create the file. FILE:hello.txt", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
  expect((await waitForStatus(taskId, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
}, 120_000);

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

describe("review comments", () => {
  it("refuses bad comments with a clear error and stores nothing", async () => {
    const id = String(taskId);
    const cases: [unknown, number, string][] = [
      [{ file: "missing.txt", startLine: 1, body: "x" }, 422, "unprocessable:comment_file"],
      [{ file: "hello.txt", startLine: 5, body: "x" }, 422, "unprocessable:comment_lines"],
      [{ file: "hello.txt", startLine: 2, endLine: 1, body: "x" }, 400, "bad_request:validation"],
      [{ file: null, startLine: 1, body: "a note has no lines" }, 400, "bad_request:validation"],
      [{ file: "hello.txt", startLine: 1, body: "   " }, 400, "bad_request:validation"],
      [{ file: "hello.txt", body: "no line" }, 400, "bad_request:validation"],
      [{ file: "hello.txt", startLine: 1, body: "x", extra: true }, 400, "bad_request:validation"],
    ];
    for (const [body, status, code] of cases) {
      const response = await call("comments", "POST", { id }, body);
      expect([response.status, response.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await call("comments", "POST", { id: "99999" }, { file: null, body: "x" })).status).toBe(404);
    expect((await call("comment", "PATCH", { id: "99999" }, { resolved: true })).status).toBe(404);
    expect(await countComments()).toBe(0);
  });

  it("comments follow their lines when the code moves and are outdated when it is gone", async () => {
    const created = await call("comments", "POST", { id: String(taskId) }, { file: "hello.txt", startLine: 1, body: "Say hello politely." });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ file: "hello.txt", startLine: 1, endLine: 1, side: "new", author: "user", resolved: false, sentAt: null, position: { startLine: 1, endLine: 1, outdated: false } });
    const worktree = (await getTask(taskId)).worktreePath!;
    const hello = path.join(worktree, "hello.txt");
    fs.writeFileSync(hello, `first\nsecond\n${fs.readFileSync(hello, "utf8")}`);
    git(worktree, "commit", "-qam", "two lines on top");
    const moved = await call("comments", "GET", { id: String(taskId) });
    expect((moved.body.items as Json[])[0]!.position).toEqual({ startLine: 3, endLine: 3, outdated: false });
    fs.writeFileSync(hello, "rewritten\n");
    git(worktree, "commit", "-qam", "rewrite");
    const gone = await call("comments", "GET", { id: String(taskId) });
    expect((gone.body.items as Json[])[0]!.position).toEqual({ startLine: null, endLine: null, outdated: true });
    // Resolved comments are not sent again.
    const resolved = await call("comment", "PATCH", { id: String(created.body.id) }, { resolved: true });
    expect([resolved.status, resolved.body.resolved]).toEqual([200, true]);
    expect((await call("comment", "PATCH", { id: String(created.body.id) }, { resolved: "yes" })).status).toBe(400);
  });

  it("request changes sends every open comment as one follow-up quoting file:line, then a person approves", async () => {
    const id = String(taskId);
    const none = await call("request-changes", "POST", { id });
    expect([none.status, none.body.error?.code]).toEqual([422, "unprocessable:no_open_comments"]);
    await call("comments", "POST", { id }, { file: "hello.txt", startLine: 1, body: "Mention the file. FILE:after-review.txt" });
    await call("comments", "POST", { id }, { file: null, body: "Keep it short." });
    const requested = await call("request-changes", "POST", { id });
    expect([requested.status, requested.body.reviewState, requested.body.reviewedBy]).toEqual([200, "CHANGES_REQUESTED", "user"]);
    expect((await call("approve", "POST", { id })).status).toBe(409);
    expect((await waitForStatus(taskId, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");

    const runs = await runsOf(taskId);
    expect(runs.map((run) => run.kind)).toEqual(["initial", "continue"]);
    expect(runs[1]!.prompt).toContain("- hello.txt:1: Mention the file. FILE:after-review.txt");
    expect(runs[1]!.prompt).toContain("- General: Keep it short.");
    expect(runs[1]!.prompt).not.toContain("Say hello politely.");
    expect(git(repo, "show", `task-${taskId}:after-review.txt`)).toContain("hello from fake model");
    const comments = (await call("comments", "GET", { id })).body.items as Json[];
    expect(comments.map((comment) => [comment.body, comment.sentAt !== null])).toEqual([
      ["Say hello politely.", false],
      ["Mention the file. FILE:after-review.txt", true],
      ["Keep it short.", true],
    ]);
    expect((await call("request-changes", "POST", { id })).status).toBe(422);

    const approved = await call("approve", "POST", { id });
    expect([approved.status, approved.body.reviewState, approved.body.reviewedBy]).toEqual([200, "APPROVED", "user"]);
  }, 120_000);
});

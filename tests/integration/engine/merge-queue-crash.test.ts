/**
 * kill -9 of the real server (`server.ts`, production build) in each step of the merge queue,
 * then a restart on the same database: the repository stays consistent (`git fsck`, the base at
 * its old commit or the landed one, never between), and the queue resumes and lands everything.
 * AI_SLAVE_TEST_QUEUE_PAUSE_MS holds each step's record a while after its git work, so the kill
 * can land after the work and before its record, the case a resume must recognise. A git command
 * the server had started runs on after the kill, as after a real crash; the checks below wait for
 * it to end (a `git merge` caught between its index and its ref looks like a half-made landing).
 * The same merge killed with the server is finished on resume: tests/integration/git/land.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { startRealServer, type RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

interface Queue {
  order: { taskId: number; step: string }[];
  history: { taskId: number; state: string; reason: string | null }[];
}

let testDb: TestDb;
let models: FakeModelServer;
let agentEnv: AgentTestEnv;
const servers: RealServer[] = [];

beforeAll(async () => {
  testDb = await useTestDatabase();
  models = await startFakeModelServer();
  agentEnv = agentTestEnv(models.url);
});

afterAll(async () => {
  for (const server of servers) if (/Error|invalid/.test(server.output())) console.log(`--- server on ${server.url}:\n${server.output().slice(-4000)}`);
  for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
  await models?.close();
  agentEnv?.cleanup();
  await testDb?.cleanup();
});

async function start(): Promise<RealServer> {
  const server = await startRealServer({ dir: testDb.dir, env: { ...agentEnv.env, AI_SLAVE_TEST_QUEUE_PAUSE_MS: "1500" } });
  servers.push(server);
  return server;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const replaceLine = (text: string, index: number, by: string) => text.split("\n").map((line, at) => (at === index ? by : line)).join("\n");

describe("the real server killed during the merge queue's steps", () => {
  it("kill -9 in updating, checking, landing and cleanup: fsck clean, base old or new, the queue resumes and lands both tasks", async () => {
    const repo = makeGitRepo(testDb.dir, "crash");
    fs.writeFileSync(path.join(repo, "app.txt"), `${Array.from({ length: 12 }, (_, at) => `line ${at}`).join("\n")}\n`);
    git(repo, "add", "app.txt");
    git(repo, "commit", "-q", "-m", "app");
    const checkLog = path.join(testDb.dir, "checks.log");
    let server = await start();
    const workspace = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: "crash", path: repo, checkCommand: `sleep 1; git rev-parse HEAD >> ${checkLog}` } });
    expect(workspace.status).toBe(201);
    const ids: number[] = [];
    for (const line of [1, 8]) {
      const task = await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { workspaceId: workspace.body.id, prompt: "Look around. NO_TOOL", backend: "codex_cli", model: "gpt-5.5" } });
      expect(task.status, JSON.stringify(task.body)).toBe(201);
      const done = await until(`task ${task.body.id} DONE`, async () => {
        const { body } = await server.api<{ status: string; worktreePath: string }>(`/api/tasks/${task.body.id}`);
        return body.status === "DONE" ? body : body.status === "FAILED" ? Promise.reject(new Error("agent failed")) : null;
      });
      const file = path.join(done.worktreePath, "app.txt");
      fs.writeFileSync(file, replaceLine(fs.readFileSync(file, "utf8"), line, `EDIT ${line}`));
      git(done.worktreePath, "commit", "-q", "-am", `edit line ${line}`);
      ids.push(task.body.id);
    }
    const base0 = git(repo, "rev-parse", "main");
    for (const id of ids) expect((await server.api(`/api/tasks/${id}/merge-queue`, { method: "POST", body: {} })).status).toBe(200);

    const seen: string[] = [];
    for (const step of ["updating", "checking", "landing", "cleanup"]) {
      await until(`the first task in ${step}`, async () => {
        const { body } = await server.api<Queue>(`/api/workspaces/${workspace.body.id}/merge-queue`);
        return body.order[0]?.taskId === ids[0] && body.order[0]?.step === step;
      });
      await server.crash();
      seen.push(step);
      git(repo, "fsck", "--strict");
      const main = git(repo, "rev-parse", "main");
      // Old or new, never between: the base is the start or a fast-forward to the first task's rebased tip.
      expect(main === base0 || git(repo, "rev-parse", `task-${ids[0]}`) === main, `main at ${main}`).toBe(true);
      expect(git(repo, "status", "--porcelain")).toBe("");
      server = await start();
    }
    expect(seen).toEqual(["updating", "checking", "landing", "cleanup"]);
    const queue = await until("both tasks merged", async () => {
      const { body } = await server.api<Queue>(`/api/workspaces/${workspace.body.id}/merge-queue`);
      return body.order.length === 0 && body.history.length === 2 ? body : null;
    }, 120_000);
    expect(queue.history.map((entry) => [entry.taskId, entry.state, entry.reason]).sort()).toEqual(ids.map((id) => [id, "merged", null]));
    git(repo, "fsck", "--strict");
    const app = fs.readFileSync(path.join(repo, "app.txt"), "utf8");
    expect(app).toContain("EDIT 1");
    expect(app).toContain("EDIT 8");
    expect(git(repo, "rev-list", "--count", `${base0}..main`)).toBe("2");
    expect(git(repo, "rev-list", "--merges", "--count", "main")).toBe("0");
    // The last check ran on what the base is now.
    expect(fs.readFileSync(checkLog, "utf8").trim().split("\n").at(-1)).toBe(git(repo, "rev-parse", "main"));
  }, 400_000);
});

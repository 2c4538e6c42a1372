/**
 * SIGTERM of the real server while its merge queue lands tasks: the server stops within its
 * grace instead of working through the whole queue (a check of minutes per task made a stop last
 * as long as the queue), starts no further step, and the next start lands the rest.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, startStubServer, until } from "./harness";

interface Queue {
  order: { taskId: number; step: string }[];
  history: { taskId: number; state: string; reason: string | null }[];
}

let testDb: TestDb;
const servers: RealServer[] = [];

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
  await testDb?.cleanup();
});

async function start(dir: string): Promise<RealServer> {
  const server = await startStubServer(dir);
  servers.push(server);
  onTestFailed(() => console.log(`--- server on ${server.url}:\n${server.output().slice(-4000)}`));
  return server;
}

describe("SIGTERM while the merge queue lands tasks", () => {
  it("the step in flight ends or is left, no other step starts, the server exits, and the next start lands every task", async () => {
    const dir = path.join(testDb.dir, "queue");
    const repo = makeGitRepo(dir, "repo");
    const first = await start(dir);
    const workspaceId = await createdId(first, "/api/workspaces", { name: "queue", path: repo, concurrencyLimit: 3, checkCommand: "sleep 2" });
    const ids: number[] = [];
    for (let index = 0; index < 3; index += 1) ids.push(await createdId(first, "/api/tasks", { workspaceId, prompt: `FILE:queued-${index}.txt=${index}`, backend: "claude_code", reviewBackend: null }));
    await until("every task DONE", async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await first.api<{ status: string }>(`/api/tasks/${id}`)).body.status));
      return statuses.every((status) => status === "DONE");
    }, 60_000);
    for (const id of ids) expect((await first.api(`/api/tasks/${id}/merge-queue`, { method: "POST", body: {} })).status).toBe(200);
    await until("the first task's check", async () => {
      const { body } = await first.api<Queue>(`/api/workspaces/${workspaceId}/merge-queue`);
      return body.order[0]?.taskId === ids[0] && body.order[0]?.step === "checking";
    }, 60_000);

    await first.stop("SIGTERM");
    expect(first.child.exitCode).toBe(0);
    expect(first.output()).toContain("[ai-slave] stopped:");
    // The others never began: their steps are where the queue left them.
    const sqlite = new Database(path.join(dir, "db.sqlite"), { readonly: true });
    const entries = sqlite.prepare(`SELECT "taskId", "state", "step" FROM "MergeQueueEntry" ORDER BY "taskId"`).all() as { taskId: number; state: string; step: string }[];
    const merged = sqlite.prepare(`SELECT "id" FROM "Task" WHERE "mergedAt" IS NOT NULL`).all() as { id: number }[];
    sqlite.close();
    expect(entries.filter((entry) => entry.taskId !== ids[0])).toEqual(ids.slice(1).map((taskId) => ({ taskId, state: "queued", step: "waiting" })));
    expect(merged.map((row) => row.id).filter((id) => id !== ids[0])).toEqual([]);
    git(repo, "fsck", "--no-progress");

    const second = await start(dir);
    const queue = await until("every task landed", async () => {
      const { body } = await second.api<Queue>(`/api/workspaces/${workspaceId}/merge-queue`);
      return body.order.length === 0 && body.history.length === 3 ? body : null;
    }, 90_000);
    expect(queue.history.map((entry) => [entry.taskId, entry.state, entry.reason]).sort()).toEqual(ids.map((id) => [id, "merged", null]));
    for (const [index] of ids.entries()) expect(fs.readFileSync(path.join(repo, `queued-${index}.txt`), "utf8")).toBe(`${index}\n`);
    // Each worktree went with its task's landing.
    expect(git(repo, "worktree", "list", "--porcelain").split("\n").filter((line) => line.startsWith("worktree "))).toEqual([`worktree ${repo}`]);
    git(repo, "fsck", "--no-progress");
    await second.stop("SIGTERM");
  }, 240_000);
});

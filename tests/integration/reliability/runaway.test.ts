/**
 * An agent that never ends and ignores SIGTERM, with a child that ignores it too, on the real
 * server: the task's time limit stops it, and after the grace period the whole process tree is
 * killed. The task is FAILED with the time limit as its reason.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { isProcessRunning } from "../../unit/exec/process-liveness";
import { makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, report, startStubServer, until } from "./harness";

let testDb: TestDb;
let server: (RealServer & { trace: string }) | undefined;

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  await testDb?.cleanup();
});

describe("an agent that never ends", () => {
  it("is stopped at the time limit; ignoring SIGTERM, it and its child are killed after the grace period", async () => {
    const dir = path.join(testDb.dir, "runaway");
    server = await startStubServer(dir, { AI_SLAVE_CANCEL_GRACE_MS: "2000" });
    const live = server;
    onTestFailed(() => console.log(live.output().slice(-4000)));
    const workspaceId = await createdId(live, "/api/workspaces", { name: "runaway", path: makeGitRepo(dir, "repo"), concurrencyLimit: 1, taskTimeoutSec: 5 });
    const started = Date.now();
    const taskId = await createdId(live, "/api/tasks", { workspaceId, prompt: "Never stop. STUBBORN", backend: "claude_code" });
    const pidFile = `${live.trace}.pids-${taskId}`;
    const pids = await until("the agent and its child", async () => (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim().split(" ").map(Number) : null));
    expect(pids.every(isProcessRunning)).toBe(true);
    const task = await until("the task to end", async () => {
      const current = (await live.api<{ status: string; failureReason: string | null }>(`/api/tasks/${taskId}`)).body;
      return current.status === "RUNNING" ? null : current;
    }, 60_000);
    const endedAfter = Date.now() - started;
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toContain("Timed out");
    expect(pids.filter(isProcessRunning), "processes of the tree still alive").toEqual([]);
    report("runaway agent", { "time limit s": 5, "grace ms": 2000, "FAILED after ms": endedAfter });
    await live.stop("SIGTERM");
  }, 120_000);
});

/**
 * Another process holds the database's write lock for 10 s (a backup tool, a second server, a
 * person with the sqlite3 shell) while an agent logs and clients write. Reads are served meanwhile;
 * writes wait or fail with 503 and a code; nothing is half-written; once the lock is gone every log
 * line is stored.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, PROJECT_ROOT, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, report, startStubServer, timed, until } from "./harness";

let testDb: TestDb;
let server: RealServer | undefined;

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  await testDb?.cleanup();
});

/** A process that takes the write lock, says "locked", holds it for `ms`, then lets go. */
function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `const D = require("better-sqlite3"); const d = new D(${JSON.stringify(file)}); d.exec("BEGIN EXCLUSIVE"); console.log("locked"); setTimeout(() => { d.exec("COMMIT"); d.close(); }, ${ms});`;
  const child = spawn(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const released = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", () => resolve({ released }));
    child.once("exit", (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
}

describe("the database locked by another process", () => {
  it("for 10 s while an agent logs: requests wait or answer 503, nothing half-written, no log line lost", async () => {
    const dir = path.join(testDb.dir, "locked");
    server = await startStubServer(dir);
    const live = server;
    onTestFailed(() => console.log(live.output().slice(-5000)));
    const repo = makeGitRepo(dir, "repo");
    const workspaceId = await createdId(live, "/api/workspaces", { name: "locked", path: repo, concurrencyLimit: 2 });
    // Twenty seconds of output, one line every 250 ms: the lock comes in the middle.
    const taskId = await createdId(live, "/api/tasks", { workspaceId, prompt: "Talk. FILE:locked.txt=1 DRIP:80:250", backend: "claude_code" });
    const runId = await until("the agent to talk", async () => {
      const [run] = (await live.api<{ items: { id: number }[] }>(`/api/tasks/${taskId}/runs`)).body.items;
      return run && (await live.api<{ items: unknown[] }>(`/api/runs/${run.id}/logs?after=0&limit=10`)).body.items.length > 3 ? run.id : null;
    });

    const lock = await holdWriteLock(path.join(dir, "db.sqlite"), 10_000);
    const lockedAt = Date.now();
    const [read, write] = await Promise.all([
      timed(() => live.api("/api/tasks?limit=50")),
      timed(() => live.api<{ id?: number; error?: { code: string; message: string } }>("/api/tasks", { method: "POST", body: { workspaceId, prompt: "Written while locked. FILE:later.txt=2", backend: "claude_code" } })),
    ]);
    await lock.released;
    const heldMs = Date.now() - lockedAt;
    expect(read.value.status).toBe(200);
    // Reads go on while another process holds the write lock (WAL), and the server is not stopped
    // by a statement waiting for it: the page came back long before the lock went away.
    expect(read.ms).toBeLessThan(heldMs - 3_000);
    expect([201, 503]).toContain(write.value.status);
    if (write.value.status === 503) expect(write.value.body.error?.code).toBe("unavailable:database_busy");

    const done = await until("the talking task to finish", async () => {
      const task = (await live.api<{ status: string }>(`/api/tasks/${taskId}`)).body;
      return task.status === "DONE" || task.status === "FAILED" ? task : null;
    }, 120_000);
    expect(done.status).toBe("DONE");
    const events = (await live.api<{ items: { seq: number; text?: string }[] }>(`/api/runs/${runId}/logs?after=0&limit=5000`)).body.items;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, at) => at + 1));
    expect(events.filter((event) => event.text?.startsWith("drip ")).map((event) => event.text)).toEqual(Array.from({ length: 80 }, (_, at) => `drip ${at + 1}`));
    expect(git(repo, "show", `task-${taskId}:locked.txt`)).toBe("1");
    // The write either happened whole or not at all.
    const tasks = (await live.api<{ items: { id: number; prompt: string }[] }>("/api/tasks?limit=50")).body.items;
    expect(tasks.filter((task) => task.prompt.startsWith("Written while locked"))).toHaveLength(write.value.status === 201 ? 1 : 0);
    const sqlite = new Database(path.join(dir, "db.sqlite"), { readonly: true });
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    sqlite.close();
    report("database locked 10 s", {
      "GET ms": Math.round(read.ms), "POST ms": Math.round(write.ms), "POST status": write.value.status, "lock released after ms": heldMs,
    });
    await live.stop("SIGTERM");
  }, 180_000);
});

/**
 * The server's data folder on a small tmpfs that fills up: writes fail with a clear 507, the
 * server stays up and keeps answering reads, what was stored before is intact, and once space
 * returns it goes on as before. Needs root for the mount (as CI has).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, report, startStubServer, until } from "./harness";

let testDb: TestDb;
let server: RealServer | undefined;
let mount: string | undefined;

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  if (mount) execFileSync("umount", ["-l", mount]);
  await testDb?.cleanup();
});

/** Writes a filler file until the disk refuses more; returns its size. */
function fill(file: string): number {
  const block = Buffer.alloc(64 * 1024, 1);
  const fd = fs.openSync(file, "w");
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

async function finished(live: RealServer, id: number): Promise<string> {
  return until(`task ${id} to finish`, async () => {
    const { status } = (await live.api<{ status: string }>(`/api/tasks/${id}`)).body;
    return status === "DONE" || status === "FAILED" ? status : null;
  });
}

describe("a full disk under the data folder", () => {
  it("writes fail with 507 and a code, the server stays up, nothing stored is damaged, an agent's lines wait and are all stored when space returns", async () => {
    mount = path.join(testDb.dir, "data");
    fs.mkdirSync(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mount]);
    server = await startStubServer(mount);
    const live = server;
    onTestFailed(() => console.log(live.output().slice(-5000)));
    const repo = makeGitRepo(testDb.dir, "repo");
    const workspaceId = await createdId(live, "/api/workspaces", { name: "full", path: repo, concurrencyLimit: 2 });
    const before = await createdId(live, "/api/tasks", { workspaceId, prompt: "Before. FILE:before.txt=1", backend: "claude_code" });
    expect(await finished(live, before)).toBe("DONE");

    // An agent that talks through the whole episode, a line every 250 ms: every line must be stored in the end.
    const talker = await createdId(live, "/api/tasks", { workspaceId, prompt: "Talk. FILE:talk.txt=3 DRIP:80:250", backend: "claude_code" });
    const talkRun = await until("the talker to talk", async () => {
      const [run] = (await live.api<{ items: { id: number }[] }>(`/api/tasks/${talker}/runs`)).body.items;
      return run && (await live.api<{ items: unknown[] }>(`/api/runs/${run.id}/logs?after=0&limit=10`)).body.items.length > 3 ? run.id : null;
    });
    const filler = path.join(mount, "filler");
    const filled = fill(filler);
    // SQLite may still fit a write or two in pages it already has: write until the disk says no.
    let refused: { status: number; body: { error?: { code: string; message: string } } } | null = null;
    let accepted = 0;
    for (let attempt = 0; attempt < 50 && !refused; attempt += 1) {
      const answer = await live.api<{ error?: { code: string; message: string } }>("/api/tasks", { method: "POST", body: { workspaceId, prompt: `While full ${attempt}. ${"x".repeat(20_000)}`, backend: "claude_code" } });
      if (answer.status === 201) accepted += 1;
      else refused = answer;
    }
    expect(refused?.status).toBe(507);
    expect(refused?.body.error?.code).toBe("insufficient_storage:disk_full");
    // Up, and reading.
    expect((await live.api("/api/health")).status).toBeLessThan(600);
    const listed = await live.api<{ items: { id: number; status: string }[] }>("/api/tasks?limit=100");
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((task) => task.id === before)?.status).toBe("DONE");

    // The talker goes on talking into the full disk for a while.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    fs.rmSync(filler);
    const after = await createdId(live, "/api/tasks", { workspaceId, prompt: "After. FILE:after.txt=2", backend: "claude_code" });
    expect(await finished(live, after)).toBe("DONE");
    expect(await finished(live, talker)).toBe("DONE");
    const events = (await live.api<{ items: { seq: number; text?: string }[] }>(`/api/runs/${talkRun}/logs?after=0&limit=5000`)).body.items;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, at) => at + 1));
    expect(events.filter((event) => event.text?.startsWith("drip ")).map((event) => event.text)).toEqual(Array.from({ length: 80 }, (_, at) => `drip ${at + 1}`));
    expect(git(repo, "show", `task-${talker}:talk.txt`)).toBe("3");
    expect(git(repo, "show", `task-${before}:before.txt`)).toBe("1");
    expect(git(repo, "show", `task-${after}:after.txt`)).toBe("2");
    await live.stop("SIGTERM");
    server = undefined;
    const sqlite = new Database(path.join(mount, "db.sqlite"), { readonly: true });
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    sqlite.close();
    report("disk full", { "filler MB": Math.round(filled / 1048576), "writes accepted while full": accepted, "refused with": refused?.status ?? "none" });
  }, 180_000);
});

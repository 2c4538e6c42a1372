/**
 * kill -9 of the real server in the middle of an operation, at the named crash points of
 * server/lifecycle/crash-point.ts (AI_SLAVE_CRASH_AT makes the process SIGKILL itself there), then
 * a restart on the same data: the repository is consistent (`git fsck`, no half-made worktree,
 * the base at its old or its new commit), the database intact, and the task says what happened
 * and goes on. Also: a machine restarted mid-run (the server and everything it started gone at
 * once), and SIGTERM while the merge queue lands tasks (the stop starts no further step).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, readTrace, startStubServer, until } from "./harness";
import { processesWithEnv } from "../../unit/exec/process-liveness";

interface TaskBody {
  status: string;
  failureReason: string | null;
  mergedAt: string | null;
}
interface Queue {
  order: { taskId: number; step: string }[];
  history: { taskId: number; state: string; reason: string | null }[];
}
interface RunBody {
  kind: string;
  status: string;
  errorClass: string | null;
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

async function start(dir: string, env: Record<string, string> = {}) {
  const server = await startStubServer(dir, { AI_SLAVE_RETRY_DELAYS: "1", ...env });
  servers.push(server);
  onTestFailed(() => console.log(`--- server on ${server.url}:\n${server.output().slice(-4000)}`));
  return server;
}

/** A stand-in server on a new repository (`<name>/repo`) with one workspace, and one task of `prompt` queued there. */
async function oneTask(name: string, env: Record<string, string>, prompt: string) {
  const dir = path.join(testDb.dir, name);
  const repo = makeGitRepo(dir, "repo");
  const first = await start(dir, env);
  const workspaceId = await createdId(first, "/api/workspaces", { name, path: repo, concurrencyLimit: 1 });
  const id = await createdId(first, "/api/tasks", { workspaceId, prompt, backend: "claude_code" });
  return { dir, repo, first, id };
}

/** Starts the server again on `dir`: task `id` must end DONE through one automatic retry of a run that ended FAILED (UNKNOWN). */
async function restartedToDone(dir: string, id: number): ReturnType<typeof start> {
  const server = await start(dir);
  expect(await finished(server, id)).toMatchObject({ status: "DONE", failureReason: null });
  expect((await runsOf(server, id)).map((run) => [run.kind, run.status, run.errorClass])).toEqual([
    ["initial", "FAILED", "UNKNOWN"],
    ["auto_retry", "DONE", null],
  ]);
  return server;
}

/** Waits for the server to have killed itself at its crash point. */
async function crashed(server: RealServer): Promise<void> {
  await until("the server to crash", async () => server.child.signalCode !== null || server.child.exitCode !== null, 60_000);
  expect(server.child.signalCode).toBe("SIGKILL");
}

const taskOf = async (server: RealServer, id: number) => (await server.api<TaskBody>(`/api/tasks/${id}`)).body;
const runsOf = async (server: RealServer, id: number) => (await server.api<{ items: RunBody[] }>(`/api/tasks/${id}/runs`)).body.items;
const finished = (server: RealServer, id: number) =>
  until(`task ${id} to finish`, async () => {
    const task = await taskOf(server, id);
    return ["DONE", "FAILED"].includes(task.status) ? task : null;
  }, 60_000);

function assertConsistent(repo: string, dir: string): void {
  git(repo, "fsck", "--no-progress");
  expect(git(repo, "worktree", "list", "--porcelain")).not.toContain("prunable");
  expect(fs.existsSync(path.join(repo, ".git", "MERGE_HEAD"))).toBe(false);
  const sqlite = new Database(path.join(dir, "db.sqlite"), { readonly: true });
  expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
  sqlite.close();
}

describe("kill -9 in the middle of an operation", () => {
  it("while the worktree is being made: nothing ran, so after the restart the task is retried by itself and ends DONE, its agent started once, the worktree whole", async () => {
    const { dir, repo, first, id } = await oneTask("worktree", { AI_SLAVE_CRASH_AT: "worktree-added" }, "FILE:wt.txt=1");
    await crashed(first);
    const worktree = `${repo}-task-${id}`;
    expect(git(repo, "worktree", "list", "--porcelain")).toContain(`worktree ${worktree}`);

    const second = await restartedToDone(dir, id);
    expect(second.output()).toContain("1 run(s) had not started their agent when the last server stopped; their tasks are retried automatically.");
    // The first run's log says why it ended and what comes next.
    const [firstRun] = (await second.api<{ items: { id: number }[] }>(`/api/tasks/${id}/runs`)).body.items;
    const log = (await second.api<{ items: { kind: string; message?: string }[] }>(`/api/runs/${firstRun!.id}/logs?after=0&limit=100`)).body.items;
    expect(log.slice(-2).map((event) => [event.kind, event.message])).toEqual([
      ["error", "The server stopped before the agent started; nothing ran."],
      ["system", "Retrying the task automatically in 1 s."],
    ]);
    expect(readTrace(second.trace).filter((line) => line.what === "start").map((line) => line.taskId)).toEqual([id]);
    expect(git(repo, "show", `task-${id}:wt.txt`)).toBe("1");
    expect(git(worktree, "status", "--porcelain")).toBe("");
    assertConsistent(repo, dir);
  }, 180_000);

  it("a start that kills the server each time is retried automatically only as often as AI_SLAVE_RETRY_DELAYS allows, then FAILED for the user to retry", async () => {
    const { dir, repo, first, id } = await oneTask("worktree-again", { AI_SLAVE_CRASH_AT: "worktree-added" }, "FILE:again.txt=1");
    await crashed(first);
    // Restarted, it retries the task (one retry allowed), and the retry kills it at the same step.
    const second = await start(dir, { AI_SLAVE_CRASH_AT: "worktree-added" });
    await crashed(second);

    const third = await start(dir);
    const task = await finished(third, id);
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toBe("The server stopped before the agent started; nothing ran. Retry the task.");
    expect((await runsOf(third, id)).map((run) => [run.kind, run.status])).toEqual([
      ["initial", "FAILED"],
      ["auto_retry", "FAILED"],
    ]);
    expect(third.output()).toContain("1 run(s) had not started their agent when the last server stopped and are marked FAILED (their automatic retries are used up).");
    assertConsistent(repo, dir);

    expect((await third.api(`/api/tasks/${id}/retry`, { method: "POST" })).status).toBe(200);
    await until("the retry", async () => (await runsOf(third, id)).length === 3 && (await taskOf(third, id)).status === "DONE");
    expect(git(repo, "show", `task-${id}:again.txt`)).toBe("1");
    expect(readTrace(third.trace).filter((line) => line.what === "start").map((line) => line.taskId)).toEqual([id]);
    assertConsistent(repo, dir);
  }, 180_000);

  it("while tasks wait for their turn to start: the one in its setup is retried by itself, those waiting are queued again, both end DONE, each agent started once", async () => {
    const dir = path.join(testDb.dir, "turn");
    const repo = makeGitRepo(dir, "repo");
    const first = await start(dir, { AI_SLAVE_CRASH_AT: "waiting-for-turn" });
    // The first task holds the machine's turn in its setup; the second, claimed, waits for it, and
    // the server kills itself there.
    const workspaceId = await createdId(first, "/api/workspaces", { name: "turn", path: repo, concurrencyLimit: 3, setupScript: "sleep 3" });
    const holder = await createdId(first, "/api/tasks", { workspaceId, prompt: "FILE:holder.txt=1", backend: "claude_code" });
    await until("the first task's run", async () => (await runsOf(first, holder)).length === 1);
    const waiting = await createdId(first, "/api/tasks", { workspaceId, prompt: "FILE:waiting.txt=2", backend: "claude_code" });
    await crashed(first);

    const second = await start(dir);
    const task = await finished(second, waiting);
    expect(task.status).toBe("DONE");
    // It ran once, after the restart: no run was left from before.
    expect((await runsOf(second, waiting)).map((run) => run.status)).toEqual(["DONE"]);
    expect(second.output()).toContain("1 task(s) were waiting for their turn to start when the last server stopped and are queued again.");
    // The one in its setup: its first run says why it ended, its automatic retry did the work.
    expect(await finished(second, holder)).toMatchObject({ status: "DONE", failureReason: null });
    expect((await runsOf(second, holder)).map((run) => [run.kind, run.status])).toEqual([
      ["initial", "FAILED"],
      ["auto_retry", "DONE"],
    ]);
    expect(readTrace(first.trace).filter((line) => line.what === "start").map((line) => line.taskId).sort((a, b) => a - b)).toEqual([holder, waiting]);
    expect(git(repo, "show", `task-${waiting}:waiting.txt`)).toBe("2");
    expect(git(repo, "show", `task-${holder}:holder.txt`)).toBe("1");
    assertConsistent(repo, dir);
  }, 180_000);

  it("the machine restarted mid-run (the server killed, the agent's tmux gone with it): the next start retries the task by itself, and it ends DONE", async () => {
    const { dir, repo, first, id } = await oneTask("reboot", { STUB_SLEEP_MS: "60000" }, "FILE:reboot.txt=1");
    await until("the agent to start", async () => readTrace(first.trace).some((line) => line.what === "start" && line.taskId === id));
    await first.stop("SIGKILL");
    // As in a reboot, everything it started goes too, at once (frozen first, so that nothing
    // notes another's end): tmux, the run script, the agent. No exit status is written.
    const left = processesWithEnv(`TMUX_TMPDIR=${dir}`);
    expect(left.length).toBeGreaterThan(1);
    for (const pid of left) process.kill(pid, "SIGSTOP");
    for (const pid of left) process.kill(pid, "SIGKILL");

    const second = await restartedToDone(dir, id);
    expect(git(repo, "show", `task-${id}:reboot.txt`)).toBe("1");
    assertConsistent(repo, dir);
  }, 180_000);

  it("while a transient failure is recorded and the task requeued: both or neither are stored; after the restart it retries once and ends DONE", async () => {
    const { dir, repo, first, id } = await oneTask("requeue", { AI_SLAVE_CRASH_AT: "run-outcome" }, "FAIL_ONCE FILE:rq.txt=1");
    await crashed(first);

    const second = await start(dir);
    const task = await finished(second, id);
    expect(task).toMatchObject({ status: "DONE", failureReason: null });
    const runs = await runsOf(second, id);
    expect(runs.map((run) => [run.kind, run.status, run.errorClass])).toEqual([
      ["initial", "FAILED", "NETWORK"],
      ["auto_retry", "DONE", null],
    ]);
    // Two agent starts in all: the first run's agent was followed again, not started again.
    expect(readTrace(first.trace).filter((line) => line.what === "start")).toHaveLength(2);
    expect(git(repo, "show", `task-${id}:rq.txt`)).toBe("1");
    assertConsistent(repo, dir);
  }, 180_000);

  it("while a merge is recorded: the base is at the merge, never between; merging again finds it up to date and marks the task", async () => {
    const { dir, repo, first, id } = await oneTask("merge", { AI_SLAVE_CRASH_AT: "merged-unrecorded" }, "FILE:mg.txt=1");
    const before = git(repo, "rev-parse", "main");
    expect((await finished(first, id)).status).toBe("DONE");
    const tip = git(repo, "rev-parse", `task-${id}`);
    await first.api(`/api/tasks/${id}/merge`, { method: "POST", body: {} }).catch(() => undefined);
    await crashed(first);

    const second = await start(dir);
    assertConsistent(repo, dir);
    expect([before, tip]).toContain(git(repo, "rev-parse", "main"));
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(await taskOf(second, id)).toMatchObject({ status: "DONE", mergedAt: null });
    const again = await second.api<{ merge: { kind: string }; task: TaskBody }>(`/api/tasks/${id}/merge`, { method: "POST", body: {} });
    expect(again.status).toBe(200);
    expect(again.body.merge.kind).toBe("up-to-date");
    expect(again.body.task.mergedAt).not.toBeNull();
    expect(git(repo, "rev-parse", "main")).toBe(tip);
  }, 180_000);
});

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

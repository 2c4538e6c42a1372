import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, createWorkspace, getTask, runsOf, startEngine, stopEngine, taskAction, waitForStatus } from "../helpers/engine";
import { PROJECT_ROOT, git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let repo: string;
let workspaceId: number;

beforeAll(async () => {
  testDb = await useTestDatabase();
  process.env.AI_SLAVE_CLAUDE_BIN = path.join(PROJECT_ROOT, "tests", "fixtures", "stub-claude.mjs");
  process.env.STUB_SLEEP_MS = "20";
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
  repo = makeGitRepo(testDb.dir);
  workspaceId = await createWorkspace(repo, { concurrencyLimit: 4 });
});
afterAll(async () => {
  await stopEngine();
  await testDb.cleanup();
});

/** A DONE task whose agent wrote `file` with `content` on its branch. */
async function doneTask(file: string, content: string): Promise<number> {
  const id = await createTask({ prompt: `FILE:${file}=${content}`, workspaceId, backend: "claude_code" });
  expect((await waitForStatus(id, ["DONE", "FAILED"])).status).toBe("DONE");
  return id;
}

/** Everything that tells whether a repository changed: HEAD, status, and each file's bytes. */
function snapshot(dir: string): string {
  const files = git(dir, "ls-files", "--others", "--cached", "--exclude-standard").split("\n").filter(Boolean);
  return JSON.stringify({
    head: git(dir, "rev-parse", "HEAD"),
    status: git(dir, "status", "--porcelain", "--ignored"),
    files: files.map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]),
    mergeHead: fs.existsSync(path.join(dir, ".git", "MERGE_HEAD")),
  });
}

describe("diff and merge", () => {
  it("shows the branch's diff against its merge base", async () => {
    const id = await doneTask("feature.txt", "new-feature");
    const { GET } = await import("@/app/api/tasks/[id]/diff/route");
    const response = await GET(jsonRequest(`/api/tasks/${id}/diff`, "GET"), routeContext({ id: String(id) }));
    const diff = await response.json();
    expect(response.status).toBe(200);
    expect(diff.files).toEqual([{ path: "feature.txt", status: "added", additions: 1, deletions: 0 }]);
    expect(diff.patch).toContain("+new-feature");
    expect(diff.branch).toBe(`task-${id}`);
  });

  it("merges with a fast-forward, marks the task merged and removes its worktree, keeping the branch", async () => {
    const id = await doneTask("ff.txt", "ff");
    const { status, body } = await taskAction(id, "merge");
    expect(status).toBe(200);
    expect(body.merge.kind).toBe("fast-forward");
    expect(fs.readFileSync(path.join(repo, "ff.txt"), "utf8")).toBe("ff\n");
    expect(body.task.mergedAt).toBeTruthy();
    expect(fs.existsSync(`${repo}-task-${id}`)).toBe(false);
    expect(git(repo, "branch", "--list", `task-${id}`)).toContain(`task-${id}`);
    expect(body.stashed).toEqual([]);
  });

  it("a merge stashes what a person left uncommitted in the worktree, then removes it", async () => {
    const id = await doneTask("edited.txt", "agent");
    const worktree = `${repo}-task-${id}`;
    // Edits made in the task's terminal after the run, never committed.
    fs.writeFileSync(path.join(worktree, "edited.txt"), "by a person\n");
    fs.writeFileSync(path.join(worktree, "notes.md"), "to do next\n");
    const { status, body } = await taskAction(id, "merge");
    expect(status).toBe(200);
    expect([...body.stashed].sort()).toEqual(["edited.txt", "notes.md"]);
    expect(fs.existsSync(worktree)).toBe(false);
    // Merged is what was committed; the edits wait in the stash, under the task's name.
    expect(fs.readFileSync(path.join(repo, "edited.txt"), "utf8")).toBe("agent\n");
    const stash = git(repo, "stash", "list").split("\n").findIndex((line) => line.includes(`task-${id}: not committed`));
    expect(stash).toBeGreaterThanOrEqual(0);
    expect(git(repo, "show", `stash@{${stash}}:edited.txt`)).toBe("by a person");
    expect(git(repo, "show", `stash@{${stash}}^3:notes.md`)).toBe("to do next");
  });

  it("makes a merge commit when the base moved on", async () => {
    const id = await doneTask("mc.txt", "mc");
    fs.writeFileSync(path.join(repo, "base-change.txt"), "moved on\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base moves on");
    const { status, body } = await taskAction(id, "merge");
    expect(status).toBe(200);
    expect(body.merge.kind).toBe("merge-commit");
    expect(git(repo, "log", "-1", "--format=%P").split(" ")).toHaveLength(2);
  });

  it("refuses a conflicting merge with 409 and leaves the repository exactly as it was", async () => {
    const id = await doneTask("clash.txt", "from-task");
    fs.writeFileSync(path.join(repo, "clash.txt"), "from-base\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base writes clash.txt");
    const before = snapshot(repo);
    const { status, body } = await taskAction(id, "merge");
    expect(status).toBe(409);
    expect(body.error.code).toBe("conflict:merge_conflict");
    expect(body.error.message).toContain("clash.txt");
    expect(snapshot(repo)).toBe(before);
    expect((await getTask(id)).mergedAt).toBeNull();
  });

  it("refuses to merge into a dirty base checkout", async () => {
    const id = await doneTask("dirty.txt", "x");
    fs.appendFileSync(path.join(repo, "README.md"), "uncommitted\n");
    const before = snapshot(repo);
    const { status, body } = await taskAction(id, "merge");
    expect(status).toBe(409);
    expect(body.error.code).toBe("conflict:merge_dirty_base");
    expect(snapshot(repo)).toBe(before);
    git(repo, "checkout", "--", "README.md");
  });
});

describe("the agent's uncommitted changes", () => {
  it("a run whose changes cannot be committed is FAILED with the reason and keeps them in the worktree; a retry commits them", async () => {
    const id = await doneTask("first.txt", "one");
    const { worktreePath } = await getTask(id);
    // Another git left its lock behind: the server's commit of what the next run writes fails.
    const lock = path.join(git(worktreePath!, "rev-parse", "--absolute-git-dir"), "index.lock");
    fs.writeFileSync(lock, "");
    expect((await taskAction(id, "continue", { prompt: "FILE:second.txt=two" })).status).toBe(200);
    const failed = await waitForStatus(id, ["DONE", "FAILED"]);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toMatch(/^Could not commit the agent's changes: .*index\.lock.* They are still in the worktree/s);
    expect((await runsOf(id)).map((run) => [run.kind, run.status, run.errorClass])).toEqual([["initial", "DONE", null], ["continue", "FAILED", "UNKNOWN"]]);
    expect(fs.readFileSync(path.join(worktreePath!, "second.txt"), "utf8")).toBe("two\n");
    expect(spawnSync("git", ["-C", repo, "cat-file", "-e", `task-${id}:second.txt`]).status).not.toBe(0);

    fs.rmSync(lock);
    expect((await taskAction(id, "retry")).status).toBe(200);
    expect((await waitForStatus(id, ["DONE", "FAILED"])).status).toBe("DONE");
    expect(git(repo, "show", `task-${id}:second.txt`)).toBe("two");
  });
});

describe("retry, cancel and delete", () => {
  it("retry queues the same task in place: same worktree, a new run with a fresh session", async () => {
    const id = await doneTask("r.txt", "1");
    const first = await getTask(id);
    const response = await taskAction(id, "retry");
    expect(response.status).toBe(200);
    const task = await waitForStatus(id, ["DONE", "FAILED"]);
    const runs = await runsOf(id);
    expect(runs.map((run) => run.kind)).toEqual(["initial", "retry"]);
    expect(runs[1]!.sessionId).not.toBe(runs[0]!.sessionId);
    expect(runs[1]!.resumeSessionId).toBeNull();
    expect(task.worktreePath).toBe(first.worktreePath);
  });

  it("refuses actions that do not fit the task's state", async () => {
    const id = await doneTask("s.txt", "1");
    expect((await taskAction(id, "cancel")).status).toBe(409);
    const { db } = await import("@/server/db/client");
    const todo = await db().task.create({ data: { workspaceId, number: 900, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "RUNNING" } });
    expect((await taskAction(todo.id, "continue", { prompt: "more" })).status).toBe(409);
    expect((await taskAction(todo.id, "retry")).status).toBe(409);
    expect((await taskAction(todo.id, "merge")).status).toBe(409);
    expect((await taskAction(id, "continue", {})).status).toBe(400);
    expect((await taskAction(987654, "retry")).status).toBe(404);
    await db().task.delete({ where: { id: todo.id } });
  });

  it("cancelling a TODO task fails it at once", async () => {
    const { services } = await import("@/server/services");
    const { db } = await import("@/server/db/client");
    const queued = await db().task.create({ data: { workspaceId, number: 901, title: "queued", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", notBefore: new Date(Date.now() + 600_000) } });
    const { status, body } = await taskAction(queued.id, "cancel");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "FAILED", failureReason: "Cancelled before it started." });
    services().scheduler.poke("test");
  });

  it("delete removes the worktree and the task's tmux session, and keeps an unmerged branch unless asked", async () => {
    const keep = await doneTask("keep.txt", "1");
    // A terminal opened on the task left its tmux session (on the tmux server of this test file's own).
    const session = await (await import("@/server/runs/session")).taskSessionName(keep);
    const tmux = (...args: string[]) => spawnSync("tmux", args, { env: process.env, stdio: "ignore" }).status;
    expect(tmux("new-session", "-d", "-s", session)).toBe(0);
    const { DELETE } = await import("@/app/api/tasks/[id]/route");
    expect((await DELETE(jsonRequest(`/api/tasks/${keep}`, "DELETE"), routeContext({ id: String(keep) }))).status).toBe(204);
    expect(fs.existsSync(`${repo}-task-${keep}`)).toBe(false);
    expect(git(repo, "branch", "--list", `task-${keep}`)).toContain(`task-${keep}`);
    expect(tmux("has-session", "-t", `=${session}`)).not.toBe(0);

    // Without deleteBranch, edits not committed in the worktree are stashed and the worktree goes.
    const edited = await doneTask("kept-edit.txt", "1");
    fs.writeFileSync(path.join(`${repo}-task-${edited}`, "kept-edit.txt"), "2\n");
    expect((await DELETE(jsonRequest(`/api/tasks/${edited}`, "DELETE"), routeContext({ id: String(edited) }))).status).toBe(204);
    expect(fs.existsSync(`${repo}-task-${edited}`)).toBe(false);
    expect(git(repo, "stash", "list")).toContain(`task-${edited}: not committed in its worktree when the task was deleted`);

    const drop = await doneTask("drop.txt", "1");
    expect((await DELETE(jsonRequest(`/api/tasks/${drop}?deleteBranch=true`, "DELETE"), routeContext({ id: String(drop) }))).status).toBe(204);
    expect(git(repo, "branch", "--list", `task-${drop}`)).toBe("");
  });
});

describe("agent environment", () => {
  it("passes the workspace's GPU indices as CUDA_VISIBLE_DEVICES, and the server's environment", async () => {
    const gpuRepo = makeGitRepo(testDb.dir, "gpu");
    const gpuWorkspace = await createWorkspace(gpuRepo, { gpuIndices: [1, 3] });
    process.env.AI_SLAVE_TEST_MARKER = "from-the-server";
    const id = await createTask({ prompt: "ENV:cuda.txt=CUDA_VISIBLE_DEVICES ENV:marker.txt=AI_SLAVE_TEST_MARKER", workspaceId: gpuWorkspace, backend: "claude_code" });
    expect((await waitForStatus(id, ["DONE", "FAILED"])).status).toBe("DONE");
    expect(git(gpuRepo, "show", `task-${id}:cuda.txt`)).toBe("1,3");
    expect(git(gpuRepo, "show", `task-${id}:marker.txt`)).toBe("from-the-server");
  });
});

describe("time limit", () => {
  it("ends a runaway run as FAILED with a timeout reason", async () => {
    const limited = await createWorkspace(makeGitRepo(testDb.dir, "limited"), { taskTimeoutSec: 5 });
    const id = await createTask({ prompt: "FILE:partial.txt=kept SLEEP:60000", workspaceId: limited, backend: "claude_code" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 30_000);
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toContain("Timed out");
    expect(task.failureReason).toContain("5 s");
    // What the agent wrote before the limit is committed on its branch.
    expect(git(task.worktreePath!, "show", "HEAD:partial.txt")).toBe("kept");
  });
});

describe("usage", () => {
  it("sums per-run usage by backend, model, workspace and day", async () => {
    const { GET } = await import("@/app/api/usage/route");
    const body = await (await GET(jsonRequest("/api/usage?days=7", "GET"))).json();
    const { db } = await import("@/server/db/client");
    // Deleted tasks' runs stay in the report through the ledger (server/usage/deleted.ts).
    const runs = [...(await db().run.findMany()), ...(await db().deletedRunUsage.findMany())];
    expect(body.totals.runs).toBe(runs.length);
    expect(body.totals.inputTokens).toBe(runs.reduce((sum, run) => sum + run.inputTokens, 0));
    expect(body.totals.costUsd).toBeCloseTo(runs.reduce((sum, run) => sum + run.costUsd, 0), 6);
    expect(body.totals.estimatedCostUsd).toBeCloseTo(runs.filter((run) => run.costSource === "estimated").reduce((sum, run) => sum + run.costUsd, 0), 6);
    expect(body.byBackend).toEqual([expect.objectContaining({ key: "claude_code", runs: runs.length })]);
    expect(body.byDay).toEqual([expect.objectContaining({ key: new Date().toISOString().slice(0, 10) })]);
    expect(body.byWorkspace[0].name).toMatch(/^ws-/);
    const quota = await (await (await import("@/app/api/quota/route")).GET(jsonRequest("/api/quota", "GET"))).json();
    expect(quota.items.map((item: { provider: string }) => item.provider)).toEqual(["anthropic", "openai", "google", "qwen", "opencode"]);
    expect((await GET(jsonRequest("/api/usage?days=0", "GET"))).status).toBe(400);
  });
});

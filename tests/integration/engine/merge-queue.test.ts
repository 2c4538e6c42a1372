import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, runsOf, startEngine, stopEngine, waitFor, waitForStatus } from "../helpers/engine";
import { git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * The merge queue with real git: tasks land one at a time, each rebased onto the base as the
 * previous one left it and checked there; a true conflict goes back to the REAL Codex CLI (fake
 * model server), which resolves the markers, and the task lands; markers left behind abort the
 * rebase and take the task out with the file named.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env, { AI_SLAVE_SCAN_INTERVAL_MS: "500" });
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

const LINES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar"];

function repoWithApp(name: string): string {
  const repo = makeGitRepo(testDb.dir, name);
  fs.writeFileSync(path.join(repo, "app.txt"), `${LINES.join("\n")}\n`);
  git(repo, "add", "app.txt");
  git(repo, "commit", "-q", "-m", "app");
  return repo;
}

/** A DONE task whose branch (in its own worktree, from the base as it is now) edits app.txt. */
async function doneTaskEditing(workspaceId: number, repo: string, edit: (text: string) => string): Promise<number> {
  const { db } = await import("@/server/db/client");
  const count = await db().task.count({ where: { workspaceId } });
  const task = await db().task.create({
    data: { workspaceId, number: count + 1, title: `edit ${count + 1}`, prompt: "edit", backend: "codex_cli", model: "gpt-5.5", permissionMode: "workspace-write", status: "DONE", checkState: "PASSED" },
  });
  const worktree = `${repo}-task-${task.id}`;
  git(repo, "worktree", "add", "-q", "-b", `task-${task.id}`, worktree, "main");
  const file = path.join(worktree, "app.txt");
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8")));
  git(worktree, "commit", "-q", "-am", `task ${task.id} edits app.txt`);
  await db().task.update({ where: { id: task.id }, data: { worktreePath: worktree, branch: `task-${task.id}` } });
  return task.id;
}

const replaceLine = (index: number, by: string) => (text: string) => text.split("\n").map((line, at) => (at === index ? by : line)).join("\n");

async function enqueue(id: number) {
  const route = await import("@/app/api/tasks/[id]/merge-queue/route");
  const response = await route.POST(jsonRequest(`/api/tasks/${id}/merge-queue`, "POST", {}), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

async function queueOf(workspaceId: number) {
  const route = await import("@/app/api/workspaces/[id]/merge-queue/route");
  const response = await route.GET(jsonRequest(`/api/workspaces/${workspaceId}/merge-queue`, "GET"), routeContext({ id: String(workspaceId) }));
  expect(response.status).toBe(200);
  return response.json() as Promise<{ order: { taskId: number; step: string; position: number }[]; history: { taskId: number; state: string; reason: string | null; landedSha: string | null; conflictFiles: string[] }[] }>;
}

async function closed(workspaceId: number, taskId: number, timeoutMs = 60_000) {
  return waitFor(async () => (await queueOf(workspaceId)).history.find((entry) => entry.taskId === taskId), timeoutMs, `task ${taskId} to leave the queue`);
}

describe("merge queue", () => {
  it("five tasks editing one file in different places land one after another, each rebased and checked", async () => {
    const repo = repoWithApp("five");
    const checkLog = path.join(testDb.dir, "five-checks.log");
    // The check records the commit it ran on and fails if an earlier task's line is missing.
    const check = `git rev-parse HEAD >> ${checkLog} && grep -q EDIT-0 app.txt`;
    const workspaceId = await createWorkspace(repo, { checkCommand: check });
    const ids: number[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await doneTaskEditing(workspaceId, repo, replaceLine(index * 3, `EDIT-${index}`)));
    const bases: string[] = [git(repo, "rev-parse", "main")];
    for (const id of ids) {
      const queued = await enqueue(id);
      expect(queued.status, JSON.stringify(queued.body)).toBe(200);
      expect(queued.body.mergeQueue).not.toBeNull();
    }
    // Queued twice: refused.
    expect((await enqueue(ids[4]!)).status).toBe(409);
    for (const id of ids) {
      const entry = await closed(workspaceId, id);
      expect([entry.state, entry.reason]).toEqual(["merged", null]);
      bases.push(git(repo, "rev-parse", "main"));
      expect(entry.landedSha).toBe(bases[bases.length - 1]);
    }
    // The base advanced at every landing, linearly (fast-forwards of rebased branches), and holds all five edits.
    expect(new Set(bases).size).toBe(6);
    expect(git(repo, "rev-list", "--merges", "--count", "main")).toBe("0");
    expect(git(repo, "rev-list", "--count", `${bases[0]}..main`)).toBe("5");
    const app = fs.readFileSync(path.join(repo, "app.txt"), "utf8");
    for (let index = 0; index < 5; index += 1) expect(app).toContain(`EDIT-${index}`);
    // The check ran once per task, on exactly the commit that then became the base.
    expect(fs.readFileSync(checkLog, "utf8").trim().split("\n")).toEqual(bases.slice(1));
    // The user's checkout followed (the base is checked out there) and is clean; the worktrees are gone.
    expect(git(repo, "status", "--porcelain")).toBe("");
    for (const id of ids) {
      expect((await getTask(id)).mergedAt).not.toBeNull();
      expect(fs.existsSync(`${repo}-task-${id}`)).toBe(false);
    }
    expect((await queueOf(workspaceId)).order).toEqual([]);
    git(repo, "fsck", "--strict");
  }, 120_000);

  it("a check that leaves files in the worktree: the task lands, they are stashed, the worktree and the branch go", async () => {
    const repo = repoWithApp("check-leftovers");
    // A check whose output is not in .gitignore, as a coverage report often is not.
    const workspaceId = await createWorkspace(repo, { checkCommand: "mkdir -p coverage && echo 91% > coverage/summary.txt && echo run >> app.txt" });
    const id = await doneTaskEditing(workspaceId, repo, replaceLine(2, "LANDED"));
    const route = await import("@/app/api/tasks/[id]/merge-queue/route");
    const queued = await route.POST(jsonRequest(`/api/tasks/${id}/merge-queue`, "POST", { deleteBranch: true }), routeContext({ id: String(id) }));
    expect(queued.status).toBe(200);
    const entry = await closed(workspaceId, id);
    expect(entry.state).toBe("merged");
    expect(entry.reason).toContain("coverage/summary.txt");
    expect(entry.reason).toContain("app.txt");
    expect(entry.reason).toContain(`ai-slave task-${id}: not committed in its worktree when the task was merged`);
    expect(fs.readFileSync(path.join(repo, "app.txt"), "utf8")).toContain("LANDED");
    expect(fs.readFileSync(path.join(repo, "app.txt"), "utf8")).not.toContain("run\n");
    // The worktree and the branch are gone (asked for); what the check left is in the stash.
    expect(fs.existsSync(`${repo}-task-${id}`)).toBe(false);
    expect(git(repo, "branch", "--list", `task-${id}`)).toBe("");
    expect(git(repo, "worktree", "list", "--porcelain")).not.toContain(`task-${id}`);
    expect(git(repo, "stash", "list")).toContain(`task-${id}: not committed`);
    expect(git(repo, "show", "stash@{0}^3:coverage/summary.txt")).toBe("91%");
    expect(git(repo, "status", "--porcelain")).toBe("");
  }, 60_000);

  it("a failing check on the rebased result leaves the base untouched and takes the task out with the output", async () => {
    const repo = repoWithApp("failing-check");
    const workspaceId = await createWorkspace(repo, { checkCommand: "echo 'the suite says no'; exit 4", fixRounds: 0 });
    const id = await doneTaskEditing(workspaceId, repo, replaceLine(1, "CHANGED"));
    const before = git(repo, "rev-parse", "main");
    expect((await enqueue(id)).status).toBe(200);
    const entry = await closed(workspaceId, id);
    expect(entry.state).toBe("left");
    expect(entry.reason).toContain("exit code 4");
    expect(entry.reason).toContain("the suite says no");
    expect(git(repo, "rev-parse", "main")).toBe(before);
    expect((await getTask(id)).mergedAt).toBeNull();
  }, 60_000);

  it("the base checked out with local changes: refused with the reason, the user's work untouched", async () => {
    const repo = repoWithApp("dirty-base");
    const workspaceId = await createWorkspace(repo);
    const id = await doneTaskEditing(workspaceId, repo, replaceLine(2, "FROM-TASK"));
    fs.writeFileSync(path.join(repo, "README.md"), "# my uncommitted work\n");
    const before = git(repo, "rev-parse", "main");
    expect((await enqueue(id)).status).toBe(200);
    const entry = await closed(workspaceId, id);
    expect(entry.state).toBe("left");
    expect(entry.reason).toContain("uncommitted changes (README.md)");
    expect(git(repo, "rev-parse", "main")).toBe(before);
    expect(fs.readFileSync(path.join(repo, "README.md"), "utf8")).toBe("# my uncommitted work\n");
  }, 60_000);

  it("a true conflict goes back to the real Codex CLI, which resolves the markers; the task lands", async () => {
    const repo = repoWithApp("conflict");
    const workspaceId = await createWorkspace(repo);
    // A real agent session first, so the resolve run continues it.
    const id = await createTask({ prompt: "Look around. NO_TOOL", workspaceId, backend: "codex_cli", model: "gpt-5.5" });
    await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    const { db } = await import("@/server/db/client");
    const worktree = (await getTask(id)).worktreePath!;
    fs.writeFileSync(path.join(worktree, "app.txt"), replaceLine(0, "MINE")(fs.readFileSync(path.join(worktree, "app.txt"), "utf8")));
    git(worktree, "commit", "-q", "-am", "the task's edit of line 1");
    const first = await doneTaskEditing(workspaceId, repo, replaceLine(0, "THEIRS"));
    expect((await enqueue(first)).status).toBe(200);
    expect((await closed(workspaceId, first)).state).toBe("merged");
    const base = git(repo, "rev-parse", "main");

    expect((await enqueue(id)).status).toBe(200);
    const entry = await closed(workspaceId, id, 180_000);
    expect([entry.state, entry.reason]).toEqual(["merged", null]);
    const runs = await runsOf(id);
    const resolve = runs.filter((run) => run.kind === "resolve");
    expect(resolve.map((run) => [run.backend, run.status])).toEqual([["codex_cli", "DONE"]]);
    expect(resolve[0]!.prompt).toContain("- `app.txt`");
    expect(resolve[0]!.prompt).toContain(base.slice(0, 12));
    expect(resolve[0]!.resumeSessionId).toBe(runs[0]!.sessionId);
    // The resolution (the agent's file) is on the base, on top of the other task's commit.
    expect(fs.readFileSync(path.join(repo, "app.txt"), "utf8")).toContain("hello from fake model");
    expect(git(repo, "merge-base", "--is-ancestor", base, "main")).toBe("");
    expect(git(repo, "log", "-1", "--format=%s", "main")).toBe("the task's edit of line 1");
    expect((await db().task.findUniqueOrThrow({ where: { id } })).status).toBe("DONE");
    git(repo, "fsck", "--strict");
  }, 240_000);

  it("markers left by the resolve run abort the rebase and take the task out with the files named", async () => {
    const repo = repoWithApp("markers");
    fs.writeFileSync(path.join(repo, "other.txt"), `${LINES.join("\n")}\n`);
    git(repo, "add", "other.txt");
    git(repo, "commit", "-q", "-m", "other");
    const workspaceId = await createWorkspace(repo);
    const both = (mark: string) => (text: string) => replaceLine(0, mark)(text);
    const editBoth = async (taskId: number, mark: string) => {
      const worktree = `${repo}-task-${taskId}`;
      fs.writeFileSync(path.join(worktree, "other.txt"), both(mark)(fs.readFileSync(path.join(worktree, "other.txt"), "utf8")));
      git(worktree, "commit", "-q", "-a", "--amend", "--no-edit");
    };
    const first = await doneTaskEditing(workspaceId, repo, replaceLine(0, "THEIRS"));
    await editBoth(first, "THEIRS");
    const second = await doneTaskEditing(workspaceId, repo, replaceLine(0, "MINE"));
    await editBoth(second, "MINE");
    const tipBefore = git(repo, "rev-parse", `task-${second}`);
    expect((await enqueue(first)).status).toBe(200);
    expect((await closed(workspaceId, first)).state).toBe("merged");
    const base = git(repo, "rev-parse", "main");
    expect((await enqueue(second)).status).toBe(200);
    const entry = await closed(workspaceId, second, 180_000);
    expect(entry.state, entry.reason ?? "").toBe("left");
    // One commit conflicts in both files; the fake model rewrites only the first file it is given: the second keeps its markers.
    expect(entry.conflictFiles, entry.reason ?? "").toEqual(["other.txt"]);
    expect(entry.reason).toContain("Conflict markers remain in other.txt");
    expect(git(repo, "rev-parse", "main")).toBe(base);
    expect(git(repo, "rev-parse", `task-${second}`)).toBe(tipBefore);
    const worktree = `${repo}-task-${second}`;
    expect(git(worktree, "status", "--porcelain")).toBe("");
    expect(git(worktree, "rev-parse", "--abbrev-ref", "HEAD")).toBe(`task-${second}`);
  }, 240_000);

  it("reorder and remove: waiting entries follow the new order, a removed one leaves with the reason", async () => {
    const repo = repoWithApp("reorder");
    const workspaceId = await createWorkspace(repo, { checkCommand: "sleep 2" });
    const [first, second, third] = [await doneTaskEditing(workspaceId, repo, replaceLine(0, "ONE")), await doneTaskEditing(workspaceId, repo, replaceLine(5, "TWO")), await doneTaskEditing(workspaceId, repo, replaceLine(10, "THREE"))];
    for (const id of [first!, second!, third!]) expect((await enqueue(id)).status).toBe(200);
    const route = await import("@/app/api/workspaces/[id]/merge-queue/route");
    const put = async (taskIds: number[]) => route.PUT(jsonRequest(`/api/workspaces/${workspaceId}/merge-queue`, "PUT", { taskIds }), routeContext({ id: String(workspaceId) }));
    expect((await put([999_999])).status).toBe(422);
    const reordered = await put([third!, second!]);
    expect(reordered.status).toBe(200);
    const order = ((await reordered.json()) as { order: { taskId: number }[] }).order.map((entry) => entry.taskId);
    // The first is already past its first step (its check sleeps); the rest follow the new order.
    expect(order).toEqual([first, third, second].filter((id) => order.includes(id!)));
    const tasks = await import("@/app/api/tasks/[id]/merge-queue/route");
    const removed = await tasks.DELETE(jsonRequest(`/api/tasks/${second}/merge-queue`, "DELETE"), routeContext({ id: String(second) }));
    expect(removed.status).toBe(200);
    expect((await removed.json()).mergeQueue).toBeNull();
    const again = await tasks.DELETE(jsonRequest(`/api/tasks/${second}/merge-queue`, "DELETE"), routeContext({ id: String(second) }));
    expect(again.status).toBe(409);
    expect((await closed(workspaceId, third!)).state).toBe("merged");
    const queue = await queueOf(workspaceId);
    expect(queue.history.find((entry) => entry.taskId === second)).toMatchObject({ state: "left", reason: "Removed by the user." });
    expect(queue.history.filter((entry) => entry.state === "merged").map((entry) => entry.taskId).reverse()).toEqual([first, third]);
    expect(git(repo, "log", "--format=%s", "-2", "main").split("\n")).toEqual([`task ${third} edits app.txt`, `task ${first} edits app.txt`]);
  }, 90_000);

  it("without autoResolve a conflict aborts at once: out of the queue with the files, the branch as it was", async () => {
    const repo = repoWithApp("no-resolve");
    const workspaceId = await createWorkspace(repo, { autoResolve: false });
    const first = await doneTaskEditing(workspaceId, repo, replaceLine(3, "THEIRS"));
    const second = await doneTaskEditing(workspaceId, repo, replaceLine(3, "MINE"));
    const tip = git(repo, "rev-parse", `task-${second}`);
    expect((await enqueue(first)).status).toBe(200);
    expect((await enqueue(second)).status).toBe(200);
    const entry = await closed(workspaceId, second);
    expect([entry.state, entry.conflictFiles]).toEqual(["left", ["app.txt"]]);
    expect(entry.reason).toContain("conflicts in app.txt; the update was aborted");
    expect(git(repo, "rev-parse", `task-${second}`)).toBe(tip);
    expect((await runsOf(second)).filter((run) => run.kind === "resolve")).toEqual([]);
  }, 60_000);

  it("a check failing on the rebased branch sends the real agent to a fix round with its output; then the task lands", async () => {
    const repo = repoWithApp("queue-fix");
    const check = "test -f fixed.txt || { echo 'check: missing FILE:fixed.txt'; exit 3; }";
    const workspaceId = await createWorkspace(repo, { checkCommand: check, fixRounds: 1 });
    const id = await doneTaskEditing(workspaceId, repo, replaceLine(4, "NEEDS-FIX"));
    expect((await enqueue(id)).status).toBe(200);
    const entry = await closed(workspaceId, id, 180_000);
    expect([entry.state, entry.reason]).toEqual(["merged", null]);
    const fix = (await runsOf(id)).filter((run) => run.kind === "fix");
    expect(fix.map((run) => [run.status, run.cause, run.checkState])).toEqual([["DONE", "check", "PASSED"]]);
    expect(fix[0]!.prompt).toContain("check: missing FILE:fixed.txt");
    expect(fs.readFileSync(path.join(repo, "fixed.txt"), "utf8")).toContain("hello from fake model");
    expect(fs.readFileSync(path.join(repo, "app.txt"), "utf8")).toContain("NEEDS-FIX");
  }, 240_000);

  it("overlaps: two open tasks changing the same file warn of each other; autoMerge lands an approved task by itself", async () => {
    const repo = makeGitRepo(testDb.dir, "auto");
    const workspaceId = await createWorkspace(repo, { autoMerge: true, reviewBackend: "codex_cli", reviewModel: "gpt-5.5", reviewRounds: 1 });
    const plain = await createWorkspace(makeGitRepo(testDb.dir, "overlap"));
    const [one, two] = [
      await createTask({ prompt: "Write it. FILE:shared.txt", workspaceId: plain, backend: "codex_cli", model: "gpt-5.5" }),
      await createTask({ prompt: "Write it too. FILE:shared.txt", workspaceId: plain, backend: "codex_cli", model: "gpt-5.5" }),
    ];
    await waitForStatus(one, ["DONE"], 120_000);
    await waitForStatus(two, ["DONE"], 120_000);
    const { getTask: getTaskDto } = await import("@/server/tasks/service");
    expect((await getTaskDto(one)).overlaps).toEqual([{ taskId: two, files: ["shared.txt"] }]);
    expect((await getTaskDto(two)).overlaps).toEqual([{ taskId: one, files: ["shared.txt"] }]);

    const approved = await createTask({ prompt: "Write it. FILE:auto.txt REVIEW_PLAN:approve", workspaceId, backend: "codex_cli", model: "gpt-5.5" });
    const merged = await waitFor(async () => (await getTask(approved)).mergedAt, 180_000, "the approved task merged by itself");
    expect(merged).toBeTruthy();
    const task = await getTask(approved);
    expect([task.status, task.reviewState]).toEqual(["DONE", "APPROVED"]);
    expect(fs.readFileSync(path.join(repo, "auto.txt"), "utf8")).toContain("hello from fake model");
    // Merged tasks no longer warn.
    expect((await getTaskDto(approved)).overlaps).toEqual([]);
  }, 300_000);
});

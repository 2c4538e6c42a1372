/**
 * Restarts of the real server process (`server.ts`, production build) while agents run, locally
 * and on an SSH host: every agent runs detached in its tmux session, so a crash (SIGKILL) or a
 * stop (SIGTERM) ends none of them; the next start re-attaches, continues each log from its
 * checkpoint with no gap and no duplicate, and finishes each run normally.
 *
 * The agent is the real Claude Code against the fake model server, behind a wrapper that counts
 * its starts from the agent's side (one line per start in START_LOG).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentBinaries, agentTestEnv, FAKE_API_KEY, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { startRealServer, type RealServer } from "../../fixtures/real-server";
import { startSshd, type SshdFixture } from "../../fixtures/sshd";
import { isProcessRunning } from "../../unit/exec/process-liveness";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { until } from "../helpers/until";

const MODEL = "claude-sonnet-4-5";

interface TaskBody {
  id: number;
  status: string;
  failureReason: string | null;
}
interface RunBody {
  id: number;
  status: string;
  pid: number | null;
  tmuxSession: string | null;
}
interface LogPage {
  items: { seq: number; kind: string }[];
}

let testDb: TestDb;
let models: FakeModelServer;
let agentEnv: AgentTestEnv;
let sshd: SshdFixture;
let wrapper: string;
const servers: RealServer[] = [];

async function start(dir: string): Promise<RealServer> {
  const server = await startRealServer({
    dir,
    env: { ...agentEnv.env, AI_SLAVE_CLAUDE_BIN: wrapper, START_LOG: startLogOf(dir), AI_SLAVE_REMOTE_ENV: "START_LOG", AI_SLAVE_CANCEL_GRACE_MS: "1500" },
  });
  servers.push(server);
  return server;
}

async function created<T>(server: RealServer, pathname: string, body: unknown): Promise<T> {
  const response = await server.api<T>(pathname, { method: "POST", body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function localWorkspace(server: RealServer, repo: string, limit: number): Promise<number> {
  return (await created<{ id: number }>(server, "/api/workspaces", { name: `local-${path.basename(repo)}`, path: repo, concurrencyLimit: limit })).id;
}

async function sshWorkspace(server: RealServer, repo: string, limit: number): Promise<number> {
  const workspace = await created<{ id: number }>(server, "/api/workspaces", {
    name: `ssh-${path.basename(repo)}`, type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile,
    path: repo, baseBranch: "main", concurrencyLimit: limit,
  });
  const put = await server.api(`/api/settings/remoteCliPath.${workspace.id}.claude_code`, { method: "PUT", body: { value: wrapper } });
  expect(put.status).toBe(200);
  return workspace.id;
}

async function createTask(server: RealServer, workspaceId: number, prompt: string): Promise<number> {
  return (await created<{ id: number }>(server, "/api/tasks", { workspaceId, prompt, backend: "claude_code", model: MODEL })).id;
}

async function runsOf(server: RealServer, taskId: number): Promise<RunBody[]> {
  const response = await server.api<{ items: RunBody[] } | RunBody[]>(`/api/tasks/${taskId}/runs`);
  return Array.isArray(response.body) ? response.body : response.body.items;
}

async function logOf(server: RealServer, runId: number): Promise<LogPage["items"]> {
  return (await server.api<LogPage>(`/api/runs/${runId}/logs?after=0&limit=5000`)).body.items;
}

async function waitForFinish(server: RealServer, ids: number[]): Promise<TaskBody[]> {
  return until("every task to finish", async () => {
    const tasks = await Promise.all(ids.map(async (id) => (await server.api<TaskBody>(`/api/tasks/${id}`)).body));
    return tasks.every((task) => task.status === "DONE" || task.status === "FAILED") ? tasks : null;
  }, 150_000);
}

/**
 * A server in its own data folder (named `hold`) running one task on a local workspace, its agent
 * held on the model (HOLD:`hold`) until the test releases it; resolves once the agent waits there.
 */
async function heldAgent(hold: string, file: string): Promise<{ dir: string; first: RealServer; repo: string; id: number; run: RunBody }> {
  const dir = path.join(testDb.dir, hold);
  fs.mkdirSync(dir);
  const first = await start(dir);
  const repo = makeGitRepo(dir, "repo");
  const id = await createTask(first, await localWorkspace(first, repo, 2), `Create the file. FILE:${file} HOLD:${hold}`);
  const run = await until("the agent to wait on the model", async () => (models.held(hold) === 1 ? (await runsOf(first, id))[0] : null));
  return { dir, first, repo, id, run };
}

/** Where the wrapper counts the agent starts of the server whose data folder is `dir`. */
function startLogOf(dir: string): string {
  return path.join(dir, "agent-starts.log");
}

/** The starts of each run as the wrapper counted them. */
function startsByRun(dir: string): Map<string, number> {
  const startLog = startLogOf(dir);
  const counts = new Map<string, number>();
  const lines = fs.existsSync(startLog) ? fs.readFileSync(startLog, "utf8").split("\n").filter(Boolean) : [];
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  models = await startFakeModelServer();
  agentEnv = agentTestEnv(models.url);
  // Config dirs are paths of the server's machine: the host's login environment names its own.
  sshd = await startSshd({ sessionEnv: { CLAUDE_CONFIG_DIR: agentEnv.env.CLAUDE_CONFIG_DIR! } });
  wrapper = path.join(testDb.dir, "claude-counting");
  fs.writeFileSync(wrapper, `#!/bin/sh\necho "$AI_SLAVE_RUN_ID" >> "$START_LOG"\nexec ${agentBinaries.claude} "$@"\n`, { mode: 0o755 });
}, 120_000);

afterAll(async () => {
  // A failing test is read with what the servers said.
  for (const server of servers) if (server.output().includes("Error")) console.log(`--- server on ${server.url}:\n${server.output().slice(-4000)}`);
  for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
  await sshd?.stop();
  await models?.close();
  agentEnv?.cleanup();
  await testDb?.cleanup();
});

describe("the real server restarted while agents run", () => {
  it("kill -9 with 5 local and 2 SSH agents running: each agent lives on and its task ends DONE, logs whole, each agent started once", async () => {
    const dir = path.join(testDb.dir, "crash");
    fs.mkdirSync(dir);
    const first = await start(dir);
    const localRepo = makeGitRepo(dir, "local-repo");
    const remoteRepo = makeGitRepo(dir, "remote-repo");
    const local = await localWorkspace(first, localRepo, 5);
    const remote = await sshWorkspace(first, remoteRepo, 2);
    const tasks = [
      ...(await Promise.all([1, 2, 3, 4, 5].map((n) => createTask(first, local, `Create the file. FILE:local-${n}.txt HOLD:crash`)))),
      ...(await Promise.all([1, 2].map((n) => createTask(first, remote, `Create the file. FILE:remote-${n}.txt HOLD:crash`)))),
    ];
    // Every agent launched, logging and waiting on the model; what the API served before the crash noted.
    let seen = "";
    const runs = await until(() => `every agent to start and log (${seen})\n${first.output().slice(-3000)}`, async () => {
      const all = await Promise.all(tasks.map(async (id) => (await runsOf(first, id))[0]));
      seen = `held ${models.held("crash")}, runs ${JSON.stringify(all.map((run) => run && { status: run.status, pid: run.pid }))}`;
      if (models.held("crash") < tasks.length) return null;
      if (!all.every((run) => run?.pid)) return null;
      const logs = await Promise.all(all.map((run) => logOf(first, run!.id)));
      return logs.every((events) => events.some((event) => event.kind === "session")) ? all.map((run, index) => ({ run: run!, served: logs[index]! })) : null;
    }, 90_000);

    await first.stop("SIGKILL");
    for (const { run } of runs) expect(isProcessRunning(run.pid!), `agent of run ${run.id}`).toBe(true);

    const second = await start(dir);
    // The agents go on only now: what they print next reaches the new server.
    models.release("crash");
    const finished = await waitForFinish(second, tasks);
    expect(finished.map((task) => [task.status, task.failureReason])).toEqual(tasks.map(() => ["DONE", null]));
    const starts = startsByRun(dir);
    for (const [index, id] of tasks.entries()) {
      const repo = index < 5 ? localRepo : remoteRepo;
      const file = index < 5 ? `local-${index + 1}.txt` : `remote-${index - 4}.txt`;
      const taskRuns = await runsOf(second, id);
      expect(taskRuns.map((run) => run.status)).toEqual(["DONE"]);
      const events = await logOf(second, taskRuns[0]!.id);
      // A missing file is read with the run's log: what the agent's tool said, what the server committed.
      const files = git(repo, "ls-tree", "--name-only", `task-${id}`);
      expect(files.split("\n"), `files on task-${id}; its log:\n${JSON.stringify(events, null, 1).slice(-6000)}`).toContain(file);
      expect(git(repo, "show", `task-${id}:${file}`)).toContain("hello from fake model");
      expect(events.map((event) => event.seq)).toEqual(events.map((_, at) => at + 1));
      // What was served before the crash is still there, unchanged.
      const { served } = runs[index]!;
      expect(events.slice(0, served.length)).toEqual(served);
      expect(events.some((event) => event.kind === "system" && JSON.stringify(event).includes("re-attached"))).toBe(true);
      expect(starts.get(String(taskRuns[0]!.id)), `starts of run ${taskRuns[0]!.id}`).toBe(1);
    }
    const sqlite = new Database(path.join(dir, "db.sqlite"), { readonly: true });
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    sqlite.close();
    await second.stop("SIGTERM");
  }, 300_000);

  it("SIGTERM leaves the agent running and says so; the next start finishes its task", async () => {
    const { dir, first, repo, id, run } = await heldAgent("graceful", "graceful.txt");
    await first.stop("SIGTERM");
    expect(first.output()).toContain("1 agent(s) left running in their tmux sessions");
    expect(isProcessRunning(run.pid!)).toBe(true);
    const second = await start(dir);
    models.release("graceful");
    const [task] = await waitForFinish(second, [id]);
    expect(task).toMatchObject({ status: "DONE", failureReason: null });
    expect(git(repo, "show", `task-${id}:graceful.txt`)).toContain("hello from fake model");
    expect(startsByRun(dir).get(String(run.id))).toBe(1);
    await second.stop("SIGTERM");
  }, 180_000);
});

describe("a cancel while the restarted server boots", () => {
  it("waits until boot has taken over the run, then stops its agent: nothing is left running", async () => {
    const { dir, first, id, run } = await heldAgent("cancel-at-boot", "never.txt");
    await first.stop("SIGKILL");
    expect(isProcessRunning(run.pid!)).toBe(true);
    // Sent as soon as the new server answers: its boot (taking over the run) goes on beside it.
    const second = await start(dir);
    const cancelled = await second.api(`/api/tasks/${id}/cancel`, { method: "POST", body: {} });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
    const [task] = await waitForFinish(second, [id]);
    expect(task!.status).toBe("FAILED");
    // Had the cancel not waited for boot, or had the taken-over run ended on it without stopping
    // its agent (both happened), the task would be FAILED with its agent still running, unseen.
    await until(() => `the agent (pid ${run.pid}) to be stopped\n${second.output().slice(-3000)}`, async () => !isProcessRunning(run.pid!), 15_000);
    // The run itself was stopped and recorded so, not only its task marked.
    expect((await runsOf(second, id))[0]).toMatchObject({ status: "FAILED", errorClass: "CANCELLED" });
    expect(second.output()).toContain("re-attached to 1 running agent(s)");
    await second.stop("SIGTERM");
  }, 180_000);
});

describe("two servers on one SSH host", () => {
  it("run a task each at the same time (both task 1) without touching each other's tmux sessions", async () => {
    const [a, b] = await Promise.all(["server-a", "server-b"].map(async (name) => {
      const dir = path.join(testDb.dir, name);
      fs.mkdirSync(dir);
      return { server: await start(dir), repo: makeGitRepo(dir, "repo") };
    }));
    const ids = await Promise.all([a!, b!].map(async ({ server, repo }, index) => createTask(server, await sshWorkspace(server, repo, 1), `Create the file. FILE:mine-${index}.txt SLEEP:3000`)));
    expect(ids).toEqual([1, 1]);
    const [taskA] = await waitForFinish(a!.server, [1]);
    const [taskB] = await waitForFinish(b!.server, [1]);
    expect([taskA!.status, taskB!.status]).toEqual(["DONE", "DONE"]);
    expect(git(a!.repo, "show", "task-1:mine-0.txt")).toContain("hello from fake model");
    expect(git(b!.repo, "show", "task-1:mine-1.txt")).toContain("hello from fake model");
    const [runA] = await runsOf(a!.server, 1);
    const [runB] = await runsOf(b!.server, 1);
    expect(runA!.tmuxSession).toMatch(/^ai-slave-[0-9a-f]{8}-task-1$/);
    expect(runB!.tmuxSession).toMatch(/^ai-slave-[0-9a-f]{8}-task-1$/);
    expect(runA!.tmuxSession).not.toBe(runB!.tmuxSession);
    await Promise.all([a!.server.stop("SIGTERM"), b!.server.stop("SIGTERM")]);
  }, 180_000);
});

describe("secrets during a launch", () => {
  it("the agent's API key never shows in ps on the host while local and SSH agents start", async () => {
    const dir = path.join(testDb.dir, "ps");
    fs.mkdirSync(dir);
    const server = await start(dir);
    const local = await localWorkspace(server, makeGitRepo(dir, "local"), 2);
    const remote = await sshWorkspace(server, makeGitRepo(dir, "remote"), 2);
    let samples = 0;
    const seen: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const table = execFileSync("ps", ["-eww", "-o", "args="]).toString();
        samples += 1;
        for (const line of table.split("\n")) if (line.includes(FAKE_API_KEY) || line.includes("ANTHROPIC_API_KEY=")) seen.push(line);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const ids = [await createTask(server, local, "NO_TOOL hello"), await createTask(server, remote, "NO_TOOL hello")];
    const tasks = await waitForFinish(server, ids);
    sampling = false;
    await sampler;
    expect(tasks.map((task) => task.status)).toEqual(["DONE", "DONE"]);
    expect(samples).toBeGreaterThan(20);
    expect(seen).toEqual([]);
    // And the env file that carried it is gone once the agent read it.
    const leftovers = execFileSync("find", [dir, "-name", "*.env"]).toString().trim();
    expect(leftovers).toBe("");
    await server.stop("SIGTERM");
  }, 120_000);
});

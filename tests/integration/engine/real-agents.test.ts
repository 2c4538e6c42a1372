import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, logText, runsOf, startEngine, stopEngine, taskAction, waitFor, waitForStatus } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * The execution engine driving the REAL Claude Code and Codex CLIs against a fake model server
 * on 127.0.0.1: the server's environment reaches the agents, as it would in production.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let repo: string;
let workspaceId: number;

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env, { AI_SLAVE_RETRY_DELAYS: "0.2,0.2,0.2", AI_SLAVE_CANCEL_GRACE_MS: "1500" });
  (await import("@/server/config")).resetConfigForTests();
  repo = makeGitRepo(testDb.dir);
  await startEngine();
  workspaceId = await createWorkspace(repo, { concurrencyLimit: 4 });
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

const AGENTS = [
  { backend: "claude_code", model: "claude-sonnet-4-5", usage: { inputTokens: 800, outputTokens: 100, cacheReadTokens: 4000, cacheWriteTokens: 2000 }, costSource: "reported", costUsd: null },
  // Codex reports no cost: estimated from gpt-5.5's list price (1.75 / 0.175 / 14 per million):
  // 1600 * 1.75 + 400 * 0.175 + 60 * 14 = 3710 micro-dollars.
  { backend: "codex_cli", model: "gpt-5.5", usage: { inputTokens: 1600, outputTokens: 60, cacheReadTokens: 400, cacheWriteTokens: 0 }, costSource: "estimated", costUsd: 0.00371 },
] as const;

describe.each(AGENTS)("$backend", (agent) => {
  /** A task of this test's own that wrote `file` and ended DONE. */
  async function doneTask(file: string): Promise<number> {
    const id = await createTask({ prompt: `Create the file. FILE:${file}`, workspaceId, backend: agent.backend, model: agent.model });
    expect((await waitForStatus(id, ["DONE", "FAILED"])).status).toBe("DONE");
    return id;
  }

  it("runs a task whose model writes a file: DONE, file committed on task-{id}, per-run usage recorded", async () => {
    const doneTaskId = await createTask({ prompt: `Create the file. FILE:hello-${agent.backend}.txt`, workspaceId, backend: agent.backend, model: agent.model });
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"]);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    expect(task.worktreePath).toBe(`${repo}-task-${doneTaskId}`);
    expect(git(repo, "show", `task-${doneTaskId}:hello-${agent.backend}.txt`)).toContain("hello from fake model");
    expect(git(repo, "status", "--porcelain")).toBe("");
    const [run] = await runsOf(doneTaskId);
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, errorClass: null, kind: "initial", ...agent.usage });
    expect(run!.sessionId).toBeTruthy();
    expect(run!.costUsd).toBeGreaterThan(0);
    expect(run!.costSource).toBe(agent.costSource);
    if (agent.costUsd !== null) expect(run!.costUsd).toBeCloseTo(agent.costUsd, 9);
    const log = await logText(run!.id);
    expect(log).toContain('"kind":"tool_call"');
    expect(log).toContain('"kind":"assistant"');
  });

  it("continue resumes the same agent session and the model sees the earlier turns", async () => {
    const doneTaskId = await doneTask(`continued-${agent.backend}.txt`);
    const before = server.requests.length;
    const response = await taskAction(doneTaskId, "continue", { prompt: "NO_TOOL Now summarise what you did." });
    expect(response.status).toBe(200);
    expect(["TODO", "RUNNING"]).toContain(response.body.status);
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"]);
    expect(task.status).toBe("DONE");
    const runs = await runsOf(doneTaskId);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ kind: "continue", status: "DONE", resumeSessionId: runs[0]!.sessionId, sessionId: runs[0]!.sessionId });
    const seen = JSON.stringify(server.requests.slice(before).map((request) => request.body));
    expect(seen).toContain(`FILE:continued-${agent.backend}.txt`);
    expect(seen).toContain("Now summarise what you did.");
    // Per-run figures: the second run is one text answer, not the session's running total.
    expect(runs[1]!.outputTokens).toBeLessThan(runs[0]!.outputTokens);
    expect(runs[1]!.costUsd).toBeLessThan(runs[0]!.costUsd);
    expect(JSON.parse(task.promptHistory).map((entry: { kind: string }) => entry.kind)).toEqual(["initial", "continue"]);
  });

  it("a follow-up whose session is gone says so and starts a fresh session with the history as context", async () => {
    const { db } = await import("@/server/db/client");
    const doneTaskId = await doneTask(`lost-${agent.backend}.txt`);
    // The agent's session store lost it (another machine, a wiped home): resume must fail.
    await db().run.updateMany({ where: { taskId: doneTaskId }, data: { sessionId: agent.backend === "codex_cli" ? "019a0000-0000-7000-8000-000000000000" : "00000000-0000-4000-8000-000000000000" } });
    const before = server.requests.length;
    await taskAction(doneTaskId, "continue", { prompt: "NO_TOOL One more thing." });
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"]);
    expect(task.status).toBe("DONE");
    const last = (await runsOf(doneTaskId)).at(-1)!;
    expect(last.kind).toBe("continue");
    expect(await logText(last.id)).toContain("could not be resumed");
    const seen = JSON.stringify(server.requests.slice(before).map((request) => request.body));
    expect(seen).toContain("Earlier requests");
    expect(seen).toContain(`FILE:lost-${agent.backend}.txt`);
    // One run for the task, one for the follow-up: the fresh session is the same run, launched again.
    expect((await runsOf(doneTaskId)).map((run) => run.kind)).toEqual(["initial", "continue"]);
  });

  it("a quota answer ends FAILED with its class and records the provider's reset time", async () => {
    const keyword = agent.backend === "codex_cli" ? "FAKE_USAGE_LIMIT" : "FAKE_429";
    const id = await createTask({ prompt: `Do it. ${keyword}`, workspaceId, backend: agent.backend, model: agent.model });
    const task = await waitForStatus(id, ["DONE", "FAILED"]);
    expect(task.status).toBe("FAILED");
    const [run] = await runsOf(id);
    expect(run!.errorClass).toBe(agent.backend === "codex_cli" ? "QUOTA" : "RATE_LIMIT");
    expect(task.failureReason).toMatch(/limit|429/i);
    const { db } = await import("@/server/db/client");
    const quota = await db().quotaState.findFirstOrThrow({ where: { provider: agent.backend === "codex_cli" ? "openai" : "anthropic" } });
    expect(quota.state).toBe("EXHAUSTED");
    expect(quota.resetsAt!.getTime()).toBeGreaterThan(Date.now());

    // While exhausted with a known reset, the provider's new tasks wait visibly instead of failing.
    const waiting = await createTask({ prompt: "NO_TOOL later", workspaceId, backend: agent.backend, model: agent.model });
    const held = await waitFor(async () => {
      const current = await getTask(waiting);
      return current.waitingReason ? current : null;
    }, 10_000, "a waiting reason");
    expect(held.status).toBe("TODO");
    expect(held.waitingReason).toContain("Waiting for quota");
    // The reset passes: the task goes without anyone touching it.
    await db().quotaState.update({ where: { id: quota.id }, data: { resetsAt: new Date(Date.now() + 300) } });
    (await import("@/server/services")).services().scheduler.poke("test");
    expect((await waitForStatus(waiting, ["DONE", "FAILED"])).status).toBe("DONE");
    expect((await db().quotaState.findUniqueOrThrow({ where: { id: quota.id } })).state).toBe("OK");
  });

  it("cancel of a long-running task kills its process group within the grace period", async () => {
    const id = await createTask({ prompt: "NO_TOOL SLEEP:60000", workspaceId, backend: agent.backend, model: agent.model });
    const run = await waitFor(async () => (await runsOf(id)).find((candidate) => candidate.pid), 20_000, "the agent to start");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    const response = await taskAction(id, "cancel");
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500 + 3000);
    expect(response.body.status).toBe("FAILED");
    expect((await runsOf(id))[0]).toMatchObject({ status: "FAILED", errorClass: "CANCELLED" });
    expect(() => process.kill(-run.pid!, 0)).toThrow();
  });

  it("a transient overload is retried automatically and then succeeds", async () => {
    // Claude makes one request per run here (CLAUDE_CODE_MAX_RETRIES=0); Codex two (request_max_retries=1).
    server.failNext(agent.backend === "codex_cli" ? 2 : 1, "overloaded");
    const id = await createTask({ prompt: "NO_TOOL retry me", workspaceId, backend: agent.backend, model: agent.model });
    const task = await waitForStatus(id, ["DONE", "FAILED"]);
    const runs = await runsOf(id);
    expect(task.status).toBe("DONE");
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ status: "FAILED", errorClass: "NETWORK" });
    expect(runs.at(-1)).toMatchObject({ status: "DONE", kind: "auto_retry" });
    expect(await logText(runs[0]!.id)).toContain("retrying automatically");
  });
});

describe("a missing CLI", () => {
  it("fails the task with a reason that says what to do", async () => {
    const saved = { root: process.env.AI_SLAVE_ROOT, path: process.env.PATH, bin: process.env.AI_SLAVE_CODEX_BIN };
    const { resetConfigForTests, config } = await import("@/server/config");
    // Point the CLI search at a folder without node_modules and a PATH without codex.
    process.env.AI_SLAVE_ROOT = testDb.dir;
    process.env.PATH = "/usr/bin:/bin";
    delete process.env.AI_SLAVE_CODEX_BIN;
    resetConfigForTests();
    expect(config().projectRoot).toBe(testDb.dir);
    try {
      const id = await createTask({ prompt: "NO_TOOL", workspaceId, backend: "codex_cli" });
      const task = await waitForStatus(id, ["DONE", "FAILED"]);
      expect(task.status).toBe("FAILED");
      expect(task.failureReason).toContain("codex CLI was not found");
      expect(task.failureReason).toContain("AI_SLAVE_CODEX_BIN");
      expect((await runsOf(id))[0]!.errorClass).toBe("TOOL");
    } finally {
      Object.assign(process.env, { AI_SLAVE_ROOT: saved.root, PATH: saved.path });
      resetConfigForTests();
    }
  });
});

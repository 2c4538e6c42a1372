import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, logText, runsOf, startEngine, stopEngine, taskAction, waitFor, waitForStatus } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * The execution engine driving the REAL Gemini CLI, Qwen Code and opencode (installed into
 * .agent-clis/ by scripts/install-agent-clis.sh) against the fake model server on 127.0.0.1:
 * Gemini's streamGenerateContent and the Chat Completions API.
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
  // The user's own prices for the fake model: Qwen Code's runs are estimated from them.
  const { setSetting } = await import("@/server/settings");
  await setSetting("priceTable", { "fake-model": { input: 1, cachedInput: 0.1, output: 5 } });
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

/**
 * Two answers (the tool call, then the text) of the fake server's fixed usage, per run, and the
 * run's cost: estimated from the price table for the CLIs that report none, reported by opencode.
 */
const AGENTS = [
  // Gemini: usageMetadata 1000 prompt (200 cached) + 30 output per answer. List price of
  // gemini-2.5-flash (0.30 / 0.03 / 2.50 per million): 1600 * 0.3 + 400 * 0.03 + 60 * 2.5 = 642 micro-dollars.
  {
    backend: "gemini_cli", model: "gemini-2.5-flash", usage: { inputTokens: 1600, cacheReadTokens: 400, outputTokens: 60, cacheWriteTokens: 0 },
    cost: { costSource: "estimated", costUsd: 0.000642 }, lostSessionId: "00000000-0000-4000-8000-000000000000",
    limitKeyword: "FAKE_QUOTA", limitClass: "QUOTA", provider: "google", relaunches: true,
  },
  // Chat Completions: 1000 prompt (100 cached) + 30 completion per answer. The test's priceTable
  // setting (1 / 0.1 / 5): 1800 * 1 + 200 * 0.1 + 60 * 5 = 2120 micro-dollars.
  {
    backend: "qwen_code", model: "fake-model", usage: { inputTokens: 1800, cacheReadTokens: 200, outputTokens: 60, cacheWriteTokens: 0 },
    cost: { costSource: "estimated", costUsd: 0.00212 }, lostSessionId: "00000000-0000-4000-8000-000000000000",
    limitKeyword: "FAKE_429", limitClass: "RATE_LIMIT", provider: "qwen", relaunches: true,
  },
  // opencode's session title is a third request, not part of the steps' usage. Its own cost, from
  // the fake provider's prices in its config (3 / 0.3 / 15): 1800 * 3 + 200 * 0.3 + 60 * 15 = 6360.
  {
    backend: "opencode", model: "fake/fake-model", usage: { inputTokens: 1800, cacheReadTokens: 200, outputTokens: 60, cacheWriteTokens: 0 },
    cost: { costSource: "reported", costUsd: 0.00636 }, lostSessionId: "ses_00000000000000000000000000",
    limitKeyword: "FAKE_429", limitClass: "RATE_LIMIT", provider: "opencode", relaunches: false,
  },
] as const;

/** The pids whose process group is `pgid`, read from /proc. */
function processGroup(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[2]) === pgid && fields[0] !== "Z";
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.each(AGENTS)("$backend", (agent) => {
  let doneTaskId: number;

  it("runs a task whose model writes a file: DONE, file committed on task-{id}, per-run usage as the server reported it", async () => {
    doneTaskId = await createTask({ prompt: `Create the file. FILE:hello-${agent.backend}.txt`, workspaceId, backend: agent.backend, model: agent.model });
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"], 120_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    const [run] = await runsOf(doneTaskId);
    const log = await logText(run!.id);
    expect(git(repo, "ls-tree", "--name-only", `task-${doneTaskId}`), log).toContain(`hello-${agent.backend}.txt`);
    expect(git(repo, "show", `task-${doneTaskId}:hello-${agent.backend}.txt`)).toContain("hello from fake model");
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, errorClass: null, kind: "initial", ...agent.usage, costSource: agent.cost.costSource });
    expect(run!.costUsd).toBeCloseTo(agent.cost.costUsd, 9);
    expect(run!.sessionId).toBeTruthy();
    expect(log).toContain('"kind":"tool_call"');
    expect(log).toContain('"kind":"assistant"');
  }, 150_000);

  it("continue resumes the same session, the model sees the earlier turn, usage is this run's own", async () => {
    const before = server.requests.length;
    const response = await taskAction(doneTaskId, "continue", { prompt: "NO_TOOL Now summarise what you did." });
    expect(response.status).toBe(200);
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"], 120_000);
    expect(task.failureReason).toBeNull();
    const runs = await runsOf(doneTaskId);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ kind: "continue", status: "DONE", resumeSessionId: runs[0]!.sessionId, sessionId: runs[0]!.sessionId });
    const seen = JSON.stringify(server.requests.slice(before).map((request) => request.body));
    expect(seen).toContain(`FILE:hello-${agent.backend}.txt`);
    expect(seen).toContain("Now summarise what you did.");
    // One text answer: half the first run's two answers, not the session's running total.
    expect(runs[1]!.outputTokens).toBe(agent.usage.outputTokens / 2);
    expect(runs[1]!.costSource).toBe(agent.cost.costSource);
    expect(runs[1]!.costUsd).toBeGreaterThan(0);
    expect(runs[1]!.costUsd).toBeLessThan(runs[0]!.costUsd);
  }, 150_000);

  it("a follow-up whose session is gone says so and starts a fresh session with the history as context", async () => {
    const { db } = await import("@/server/db/client");
    // The CLI's session store lost it (another machine, a wiped home): resume must fail.
    await db().run.updateMany({ where: { taskId: doneTaskId }, data: { sessionId: agent.lostSessionId } });
    const before = server.requests.length;
    await taskAction(doneTaskId, "continue", { prompt: "NO_TOOL One more thing." });
    const task = await waitForStatus(doneTaskId, ["DONE", "FAILED"], 120_000);
    const last = (await runsOf(doneTaskId)).at(-1)!;
    const log = await logText(last.id);
    expect(task.status, log).toBe("DONE");
    expect(last.kind).toBe("continue");
    expect(log).toContain("could not be resumed");
    expect(last.sessionId).toBeTruthy();
    expect(last.sessionId).not.toBe(agent.lostSessionId);
    const seen = JSON.stringify(server.requests.slice(before).map((request) => request.body));
    expect(seen).toContain("Earlier requests");
    expect(seen).toContain(`FILE:hello-${agent.backend}.txt`);
    expect((await runsOf(doneTaskId)).map((run) => run.kind)).toEqual(["initial", "continue", "continue"]);
  }, 200_000);

  it("re-attaches after a server restart while the agent runs: DONE, the whole log once, the run's full usage and cost", async () => {
    const { activeRuns } = await import("@/server/runs/active-runs");
    const { reconcileRuns } = await import("@/server/runs/reconcile");
    const { readLog } = await import("@/server/events/log-store");
    const file = `restarted-${agent.backend}.txt`;
    const id = await createTask({ prompt: `Create the file. FILE:${file} SLEEP:3000`, workspaceId, backend: agent.backend, model: agent.model });
    const run = await waitFor(async () => (await runsOf(id)).find((entry) => entry.pid), 60_000, "the agent to start");
    await waitFor(async () => (await readLog(run.id, 0, 100_000)).some((event) => event.kind === "session"), 60_000, "the agent's session line");
    // The server goes away: it stops following; the agent lives on in its tmux session.
    const active = activeRuns().get(id)!;
    await active.detach!();
    activeRuns().delete(id);
    expect((await runsOf(id))[0]!.status).toBe("RUNNING");
    // The next start takes it over from its checkpoint; the parser is rebuilt from the lines read so far.
    expect(await reconcileRuns()).toEqual({ reattached: 1, failed: 0, retried: 0, requeued: 0 });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    const [finished] = await runsOf(id);
    const events = await readLog(finished!.id, 0, 100_000);
    expect(task.failureReason, JSON.stringify(events.slice(-5))).toBeNull();
    expect(git(repo, "show", `task-${id}:${file}`)).toContain("hello from fake model");
    expect(finished).toMatchObject({ status: "DONE", exitCode: 0, ...agent.usage, costSource: agent.cost.costSource });
    expect(finished!.costUsd).toBeCloseTo(agent.cost.costUsd, 9);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.some((event) => event.kind === "system" && event.message.includes("re-attached"))).toBe(true);
    expect(events.filter((event) => event.kind === "session")).toHaveLength(1);
  }, 200_000);

  it(`a 429 answer ends FAILED as ${agent.limitClass}, and the provider's quota is marked`, async () => {
    const id = await createTask({ prompt: `Do it. ${agent.limitKeyword}`, workspaceId, backend: agent.backend, model: agent.model });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    expect(task.status).toBe("FAILED");
    const [run] = await runsOf(id);
    expect(run!.errorClass).toBe(agent.limitClass);
    expect(task.failureReason).toMatch(/quota|limit|429/i);
    const { db } = await import("@/server/db/client");
    const quota = await db().quotaState.findFirstOrThrow({ where: { provider: agent.provider } });
    // Marked EXHAUSTED until its reset time; a slow run (a loaded machine) may see the scheduler
    // expire it already, which only a row that was EXHAUSTED goes through.
    expect(quota.state === "EXHAUSTED" || (quota.state === "UNKNOWN" && quota.lastEvent === "reset time passed"), JSON.stringify(quota)).toBe(true);
    // Let the other tests of this provider run.
    await db().quotaState.update({ where: { id: quota.id }, data: { state: "OK", resetsAt: null } });
  }, 150_000);

  it("cancel ends the whole process group within the grace period, the relaunched child included", async () => {
    const id = await createTask({ prompt: "NO_TOOL SLEEP:60000", workspaceId, backend: agent.backend, model: agent.model });
    const run = await waitFor(async () => (await runsOf(id)).find((candidate) => candidate.pid), 30_000, "the agent to start");
    // Wait until the CLI is talking to the model: by then Gemini and Qwen have relaunched themselves.
    const before = server.requests.length;
    await waitFor(async () => server.requests.length > before, 60_000, "the model request");
    const group = processGroup(run.pid!);
    if (agent.relaunches) expect(group.length).toBeGreaterThanOrEqual(2);
    const started = Date.now();
    const response = await taskAction(id, "cancel");
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500 + 3000);
    expect((await runsOf(id))[0]).toMatchObject({ status: "FAILED", errorClass: "CANCELLED" });
    expect(processGroup(run.pid!)).toEqual([]);
  }, 150_000);
});

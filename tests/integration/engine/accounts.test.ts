import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, logText, runsOf, startEngine, stopEngine, taskAction, waitFor, waitForStatus } from "../helpers/engine";
import { jsonRequest, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Two Anthropic accounts, the REAL Claude Code CLI and the fake model server sending a
 * subscription's `anthropic-ratelimit-unified-*` headers per token: the CLI's rate_limit_event
 * reaches the account's windows; at 95% new tasks go to the second account and a continued task
 * waits for its own; after the reset both go back to the first.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let workspaceId: number;
const accounts = { work: 0, spare: 0 };
const configDirs = { work: "", spare: "" };

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  // A subscription login: the rate-limit event comes only with an OAuth token, never an API key.
  const env: Record<string, string | undefined> = { ...agentEnv.env, ANTHROPIC_API_KEY: undefined, PLACE_WORK_TOKEN: "tok-work", PLACE_SPARE_TOKEN: "tok-spare" };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
  workspaceId = await createWorkspace(makeGitRepo(testDb.dir), { concurrencyLimit: 4 });
  const { POST } = await import("@/app/api/accounts/route");
  for (const [label, priority] of [["work", 0], ["spare", 1]] as const) {
    configDirs[label] = join(testDb.dir, `claude-${label}`);
    mkdirSync(configDirs[label]);
    const token = label === "work" ? "PLACE_WORK_TOKEN" : "PLACE_SPARE_TOKEN";
    const response = await POST(jsonRequest("/api/accounts", "POST", { provider: "anthropic", label, priority, configDir: configDirs[label], env: { CLAUDE_CODE_OAUTH_TOKEN: token } }));
    expect(response.status).toBe(201);
    accounts[label] = (await response.json()).id;
  }
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

async function quotaOf(accountId: number) {
  const { GET } = await import("@/app/api/quota/route");
  const items = (await (await GET(jsonRequest("/api/quota", "GET"))).json()).items as { accountId: number | null; windows: { window: string; utilization: number; resetsAt: string }[]; held: boolean; heldUntil: string | null }[];
  return items.find((item) => item.accountId === accountId)!;
}

async function doneRun(prompt: string) {
  const id = await createTask({ prompt, workspaceId, backend: "claude_code", model: "sonnet" });
  const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
  expect(task.status, task.failureReason ?? "").toBe("DONE");
  return { id, run: (await runsOf(id)).at(-1)! };
}

const tokensSince = (from: number) => [...new Set(server.requests.slice(from).map((request) => request.headers.authorization))];

describe("accounts with the real Claude Code CLI", () => {
  it("follows the windows: the first account until 95%, the second meanwhile, the first again after the reset", async () => {
    const hour = new Date(Date.now() + 3_600_000);
    server.setRateLimit("tok-work", { "5h": { utilization: 0.5, resetsAt: hour }, "7d": { utilization: 0.2, resetsAt: new Date(Date.now() + 86_400_000) } });
    server.setRateLimit("tok-spare", { "5h": { utilization: 0.1, resetsAt: hour } });

    // 50%: the first account by priority; its run's windows reach the account's state.
    let from = server.requests.length;
    const first = await doneRun("NO_TOOL first");
    expect(first.run.accountId).toBe(accounts.work);
    expect((await getTask(first.id)).accountId).toBe(accounts.work);
    expect(tokensSince(from)).toEqual(["Bearer tok-work"]);
    // The account's config home is the CLI's: its session lives there.
    expect(readdirSync(configDirs.work)).toContain("projects");
    expect(existsSync(join(configDirs.spare, "projects"))).toBe(false);
    expect(await quotaOf(accounts.work)).toMatchObject({ held: false, windows: [{ window: "5h", utilization: 0.5, resetsAt: new Date(Math.floor(hour.getTime() / 1000) * 1000).toISOString() }, { window: "7d", utilization: 0.2 }] });
    expect(await logText(first.run.id)).toContain("Account: work (Anthropic).");

    // The window reaches 95%, resetting in a few seconds: the account is held.
    const reset = new Date(Date.now() + 25_000);
    server.setRateLimit("tok-work", { "5h": { utilization: 0.95, resetsAt: reset } });
    const second = await doneRun("NO_TOOL second");
    expect(second.run.accountId).toBe(accounts.work);
    const held = await quotaOf(accounts.work);
    expect(held).toMatchObject({ held: true, windows: [{ window: "5h", utilization: 0.95 }, { window: "7d" }] });
    expect(Date.parse(held.heldUntil!)).toBe(Math.floor(reset.getTime() / 1000) * 1000);

    // Held: a continued task waits for its own account (its session is there) ...
    const continued = await taskAction(first.id, "continue", { prompt: "NO_TOOL go on" });
    expect(continued.status).toBe(200);
    const waiting = await waitFor(async () => {
      const task = await getTask(first.id);
      return task.waitingReason ? task : null;
    }, 10_000, "the continued task's waiting reason");
    expect(waiting.status).toBe("TODO");
    expect(waiting.waitingReason).toMatch(/^Waiting for quota: anthropic account work is held \(5-hour window at 95%\) until /);
    // ... and new tasks go to the second account.
    from = server.requests.length;
    const third = await doneRun("NO_TOOL third");
    expect(third.run.accountId).toBe(accounts.spare);
    expect(tokensSince(from)).toEqual(["Bearer tok-spare"]);
    expect(readdirSync(configDirs.spare)).toContain("projects");
    expect((await getTask(first.id)).status).toBe("TODO");

    // After the reset the continued task runs on its account, resuming its session, and new tasks return to it.
    server.setRateLimit("tok-work", { "5h": { utilization: 0.05, resetsAt: hour } });
    const resumed = await waitForStatus(first.id, ["DONE", "FAILED"], 90_000);
    expect(resumed.status).toBe("DONE");
    expect(Date.now()).toBeGreaterThanOrEqual(reset.getTime() - 1000);
    const runs = await runsOf(first.id);
    expect(runs.map((run) => [run.kind, run.accountId])).toEqual([["initial", accounts.work], ["continue", accounts.work]]);
    expect(runs[1]!.resumeSessionId).toBe(runs[0]!.sessionId);
    const fourth = await doneRun("NO_TOOL fourth");
    expect(fourth.run.accountId).toBe(accounts.work);
    expect(await quotaOf(accounts.work)).toMatchObject({ held: false, windows: [{ window: "5h", utilization: 0.05 }, { window: "7d" }] });
  }, 240_000);

  it("when every account of the provider is held, a task that allows it runs on its fallback backend, with the reason in its log", async () => {
    const { db } = await import("@/server/db/client");
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const windows = JSON.stringify([{ window: "5h", utilization: 0.97, resetsAt: later }]);
    for (const id of Object.values(accounts)) {
      await db().quotaState.update({ where: { provider_account: { provider: "anthropic", account: String(id) } }, data: { windows } });
    }
    const stays = await createTask({ prompt: "NO_TOOL no fallback", workspaceId, backend: "claude_code", model: "sonnet" });
    const moves = await createTask({ prompt: "Create the file. FILE:fallback.txt", workspaceId, backend: "claude_code", model: "sonnet", fallbackBackend: "codex_cli" });
    const done = await waitForStatus(moves, ["DONE", "FAILED"], 90_000);
    expect(done.status, done.failureReason ?? "").toBe("DONE");
    const [run] = await runsOf(moves);
    expect(run).toMatchObject({ backend: "codex_cli", accountId: null });
    expect(await logText(run!.id)).toMatch(/Running on the fallback backend Codex CLI: every anthropic account is held \(work: 5-hour window at 97%; spare: 5-hour window at 97%\)/);
    // The task keeps its own backend and account for later runs.
    expect(await getTask(moves)).toMatchObject({ backend: "claude_code", fallbackBackend: "codex_cli" });
    const waiting = await getTask(stays);
    expect(waiting.status).toBe("TODO");
    expect(waiting.waitingReason).toMatch(/^Waiting for quota: every anthropic account is held/);
    const { POST } = await import("@/app/api/tasks/route");
    const refused = await POST(jsonRequest("/api/tasks", "POST", { prompt: "x", workspaceId, backend: "claude_code", fallbackBackend: "claude_code" }));
    expect(refused.status).toBe(400);
  }, 120_000);

  it("a run's rate-limit windows reach its account while it still runs", async () => {
    const { db } = await import("@/server/db/client");
    await db().quotaState.deleteMany();
    server.setRateLimit("tok-work", { "5h": { utilization: 0.96, resetsAt: new Date(Date.now() + 3_600_000) } });
    // Claude Code prints the event once an answer is complete: the tool call's answer comes
    // first, and the final answer then takes 6 s more.
    const id = await createTask({ prompt: "Write it. FILE:live.txt SLEEP:6000", workspaceId, backend: "claude_code", model: "sonnet" });
    const held = await waitFor(async () => {
      const quota = await quotaOf(accounts.work);
      return quota.held ? quota : null;
    }, 60_000, "the live windows");
    expect(held.windows).toEqual([expect.objectContaining({ window: "5h", utilization: 0.96 })]);
    expect((await getTask(id)).status).toBe("RUNNING");
    expect((await waitForStatus(id, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
  }, 120_000);
});

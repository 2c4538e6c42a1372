/**
 * An SSH host that goes away while its agent runs (sshd and every connection killed, as a network
 * outage would; the agent lives on in tmux there). Back within the limit: the server re-follows the
 * run from where it was and it ends DONE with every line once. Away past the limit
 * (AI_SLAVE_HOST_AWAY_LIMIT_SEC): FAILED with class NETWORK and a reason; a retry once the host
 * is back stops what was left of the old agent and ends DONE.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { RealServer } from "../../fixtures/real-server";
import { startSshd, type SshdFixture } from "../../fixtures/sshd";
import { isProcessRunning } from "../../unit/exec/process-liveness";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { STUB_AGENT, createdId, report, sizeFromEnv, startStubServer, until } from "./harness";

const AWAY_SEC = sizeFromEnv("RELIABILITY_AWAY_SEC", 30);

interface TaskBody {
  status: string;
  failureReason: string | null;
}
interface RunBody {
  id: number;
  status: string;
  pid: number | null;
  errorClass: string | null;
}

let testDb: TestDb;
let sshd: SshdFixture;
const servers: RealServer[] = [];

beforeAll(async () => {
  testDb = await useTestDatabase();
  sshd = await startSshd();
});
afterAll(async () => {
  for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
  await sshd?.stop();
  await testDb?.cleanup();
});

async function serverWithSshWorkspace(name: string, env: Record<string, string> = {}) {
  const dir = path.join(testDb.dir, name);
  const server = await startStubServer(dir, { AI_SLAVE_REMOTE_ENV: "STUB_TRACE", ...env });
  servers.push(server);
  onTestFailed(() => console.log(`--- the server said:\n${server.output().slice(-5000)}\n--- sshd said:\n${sshd.log().slice(-2000)}`));
  const repo = makeGitRepo(dir, "repo");
  const workspaceId = await createdId(server, "/api/workspaces", {
    name, type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, path: repo, baseBranch: "main", concurrencyLimit: 1,
  });
  expect((await server.api(`/api/settings/remoteCliPath.${workspaceId}.claude_code`, { method: "PUT", body: { value: STUB_AGENT } })).status).toBe(200);
  return { server, repo, workspaceId };
}

const runsOf = async (server: RealServer, taskId: number) => (await server.api<{ items: RunBody[] }>(`/api/tasks/${taskId}/runs`)).body.items;
const taskOf = async (server: RealServer, taskId: number) => (await server.api<TaskBody>(`/api/tasks/${taskId}`)).body;
const logOf = async (server: RealServer, runId: number) => (await server.api<{ items: { seq: number; kind: string; text?: string; message?: string }[] }>(`/api/runs/${runId}/logs?after=0&limit=5000`)).body.items;

describe("an SSH host that goes away mid-run", () => {
  it(`back after ${AWAY_SEC} s: the run is followed again from where it was and ends DONE, every line once`, async () => {
    const { server, repo, workspaceId } = await serverWithSshWorkspace("back");
    // Sixty lines, half a second apart: the agent talks through the outage.
    const taskId = await createdId(server, "/api/tasks", { workspaceId, prompt: "Talk through it. FILE:away.txt=1 DRIP:60:500", backend: "claude_code" });
    const run = await until("the agent to talk", async () => {
      const [first] = await runsOf(server, taskId);
      return first && (await logOf(server, first.id)).some((event) => event.text === "drip 1") ? first : null;
    });
    await sshd.interrupt();
    const outage = Date.now();
    await new Promise((resolve) => setTimeout(resolve, AWAY_SEC * 1000));
    expect((await taskOf(server, taskId)).status, "still running while the host is away").toBe("RUNNING");
    await sshd.resume();
    const task = await until("the task to finish", async () => {
      const current = await taskOf(server, taskId);
      return current.status === "RUNNING" ? null : current;
    }, 120_000);
    const finishedAfter = Math.round((Date.now() - outage) / 1000);
    expect(task).toMatchObject({ status: "DONE", failureReason: null });
    expect(git(repo, "show", `task-${taskId}:away.txt`)).toBe("1");
    const events = await logOf(server, run.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, at) => at + 1));
    const drips = events.filter((event) => event.text?.startsWith("drip ")).map((event) => event.text);
    expect(drips).toEqual(Array.from({ length: 60 }, (_, at) => `drip ${at + 1}`));
    expect(await runsOf(server, taskId)).toHaveLength(1);
    report("host away, back", { "away s": AWAY_SEC, "DONE s after the outage began": finishedAfter, events: events.length });
  }, 240_000);

  it("away past the limit: FAILED with class NETWORK and why; a retry once it is back stops the old agent and ends DONE", async () => {
    const { server, repo, workspaceId } = await serverWithSshWorkspace("gone", { AI_SLAVE_HOST_AWAY_LIMIT_SEC: "8" });
    const taskId = await createdId(server, "/api/tasks", { workspaceId, prompt: "Talk for a while. FILE:gone.txt=2 DRIP:60:500", backend: "claude_code" });
    const first = await until("the agent to talk", async () => {
      const [run] = await runsOf(server, taskId);
      return run?.pid && (await logOf(server, run.id)).some((event) => event.text === "drip 1") ? run : null;
    });
    await sshd.interrupt();
    const outage = Date.now();
    const failed = await until("the task to fail", async () => {
      const current = await taskOf(server, taskId);
      return current.status === "RUNNING" ? null : current;
    }, 90_000);
    const failedAfter = Math.round((Date.now() - outage) / 1000);
    expect(failed.status).toBe("FAILED");
    expect((await runsOf(server, taskId))[0]!.errorClass).toBe("NETWORK");
    expect(failed.failureReason).toMatch(/did not answer for \d+ s .*AI_SLAVE_HOST_AWAY_LIMIT_SEC/);
    // Given up, not forgotten: the agent is still alive on its host.
    expect(isProcessRunning(first.pid!)).toBe(true);

    await sshd.resume();
    expect((await server.api(`/api/tasks/${taskId}/retry`, { method: "POST" })).status).toBe(200);
    const task = await until("the retry to finish", async () => {
      const current = await taskOf(server, taskId);
      return ["DONE", "FAILED"].includes(current.status) && (await runsOf(server, taskId)).length === 2 ? current : null;
    }, 120_000);
    expect(task).toMatchObject({ status: "DONE", failureReason: null });
    expect(isProcessRunning(first.pid!), "the old agent was stopped").toBe(false);
    const runs = await runsOf(server, taskId);
    const retryLog = await logOf(server, runs.at(-1)!.id);
    expect(retryLog.some((event) => event.message?.includes(`Stopped what was left of run(s) ${first.id}`))).toBe(true);
    expect(git(repo, "show", `task-${taskId}:gone.txt`)).toBe("2");
    report("host away past the limit", { "limit s": 8, "FAILED s after the outage began": failedAfter });
  }, 240_000);
});

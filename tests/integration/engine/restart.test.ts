import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, logText, runsOf, waitFor } from "../helpers/engine";
import { PROJECT_ROOT, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
const children: ChildProcess[] = [];

/** The server's services in a separate process, as after a real start. */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "tests/fixtures/boot-services.ts"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AI_SLAVE_SCAN_INTERVAL_MS: "500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      if (output.includes("AI_SLAVE_SERVICES_READY")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`services exited early (${code}): ${output}`)));
  });
  return child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env);
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

describe("restart safety", () => {
  it("a crash mid-run leaves no task RUNNING and no agent process after the next start", async () => {
    const repo = makeGitRepo(testDb.dir);
    const workspaceId = await createWorkspace(repo);
    const first = await startServer();
    const id = await createTask({ prompt: "NO_TOOL SLEEP:120000", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    const run = await waitFor(async () => (await runsOf(id)).find((candidate) => candidate.pid), 30_000, "the agent to start");
    expect((await getTask(id)).status).toBe("RUNNING");
    const agentPid = run.pid!;

    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    // The agent leads its own process group: it outlives the crashed server, as a real orphan would.
    expect(alive(agentPid)).toBe(true);

    const second = await startServer();
    const task = await getTask(id);
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toBe("Interrupted by server restart.");
    expect((await runsOf(id))[0]).toMatchObject({ status: "FAILED", errorMessage: "Interrupted by server restart." });
    await waitFor(async () => !alive(agentPid), 5_000, "the orphaned agent to be killed");
    // The log written before the crash is still there.
    expect(await logText(run.id)).toContain("claude");
    second.kill("SIGKILL");
    await new Promise((resolve) => second.once("exit", resolve));
  });

  it("a graceful stop ends the agents and records their runs as interrupted at once", async () => {
    const repo = makeGitRepo(testDb.dir, "graceful");
    const workspaceId = await createWorkspace(repo);
    const server = await startServer();
    const id = await createTask({ prompt: "NO_TOOL SLEEP:120000", workspaceId, backend: "codex_cli" });
    const run = await waitFor(async () => (await runsOf(id)).find((candidate) => candidate.pid), 30_000, "the agent to start");
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    expect(alive(run.pid!)).toBe(false);
    const task = await getTask(id);
    expect(task).toMatchObject({ status: "FAILED", failureReason: "Interrupted by server restart." });
    expect((await runsOf(id))[0]).toMatchObject({ status: "FAILED", errorClass: "UNKNOWN" });
  });
});

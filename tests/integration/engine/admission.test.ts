import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, logText, runsOf, startEngine, stopEngine, waitFor, waitForStatus } from "../helpers/engine";
import { jsonRequest, makeGitRepo, PROJECT_ROOT, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Admission with the real Claude Code CLI on this machine: a workspace asking for more free memory
 * than the machine has starts nothing and says why; GPUs come from nvidia-smi's figures (an
 * nvidia-smi on PATH printing a four-GPU host, two of them busy), one task per idle GPU.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
/** Each nvidia-smi run adds a line. */
let nvidiaCalls = "";
const nvidiaRuns = () => (fs.existsSync(nvidiaCalls) ? fs.readFileSync(nvidiaCalls, "utf8").split("\n").filter(Boolean).length : 0);

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  const bin = fs.mkdtempSync(path.join(testDb.dir, "bin-"));
  const csv = path.join(PROJECT_ROOT, "tests", "fixtures", "nvidia-smi-4gpu-busy.csv");
  nvidiaCalls = path.join(bin, "calls");
  fs.writeFileSync(path.join(bin, "nvidia-smi"), `#!/bin/sh\necho run >> '${nvidiaCalls}'\ncat '${csv}'\n`, { mode: 0o755 });
  Object.assign(process.env, agentEnv.env, { PATH: `${bin}:${agentEnv.env.PATH}` });
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

async function patchWorkspace(id: number, body: object) {
  const route = await import("@/app/api/workspaces/[id]/route");
  const response = await route.PATCH(jsonRequest(`/api/workspaces/${id}`, "PATCH", body), routeContext({ id: String(id) }));
  expect(response.status).toBe(200);
}

describe("admission", () => {
  it("a workspace whose minFreeMemoryMb is above the machine's free memory receives nothing, and the reason shows", async () => {
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "memory"), { minFreeMemoryMb: 16 * 1024 * 1024 });
    const id = await createTask({ prompt: "NO_TOOL hello", workspaceId, backend: "claude_code", model: "sonnet" });
    const waiting = await waitFor(async () => ((await getTask(id)).waitingReason ? getTask(id) : null), 15_000, "the memory reason");
    expect(waiting).toMatchObject({ status: "TODO", waitingReason: "Waiting for memory on this machine: an agent starts there once 16777216 MB are free." });
    expect(await runsOf(id)).toEqual([]);
    // Within what the machine has: it starts.
    await patchWorkspace(workspaceId, { minFreeMemoryMb: 64 });
    expect((await waitForStatus(id, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
    expect((await getTask(id)).waitingReason).toBeNull();
    // Only the memory was read: nvidia-smi (slow on a real GPU host) runs for tasks that want GPUs.
    expect(nvidiaRuns()).toBe(0);
  }, 120_000);

  it("gives each GPU task an idle GPU no running task holds, and holds the next until one is free", async () => {
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "gpus"), { concurrencyLimit: 4, minFreeMemoryMb: 0 });
    const first = await createTask({ prompt: "NO_TOOL first HOLD:gpu-a", workspaceId, backend: "claude_code", model: "sonnet", gpus: 1 });
    await waitFor(async () => server.held("gpu-a") > 0, 60_000, "the first GPU task's agent");
    const second = await createTask({ prompt: "NO_TOOL second HOLD:gpu-b", workspaceId, backend: "claude_code", model: "sonnet", gpus: 1 });
    await waitFor(async () => server.held("gpu-b") > 0, 60_000, "the second GPU task's agent");
    expect(JSON.parse((await getTask(first)).gpuIndices)).toEqual([0]);
    expect(JSON.parse((await getTask(second)).gpuIndices)).toEqual([2]);
    expect(nvidiaRuns()).toBeGreaterThan(0);
    const [firstRun] = await runsOf(first);
    expect(await logText(firstRun!.id)).toContain("GPUs 0 (CUDA_VISIBLE_DEVICES)");

    // GPUs 1 and 3 are busy by nvidia-smi, 0 and 2 held: the third waits, visibly.
    const third = await createTask({ prompt: "NO_TOOL third", workspaceId, backend: "claude_code", model: "sonnet", gpus: 1 });
    const waiting = await waitFor(async () => ((await getTask(third)).waitingReason ? getTask(third) : null), 15_000, "the GPU reason");
    expect(waiting).toMatchObject({ status: "TODO", waitingReason: "Waiting for 1 idle GPU on this machine." });
    // A task that asks for none is not held by GPUs.
    const plain = await createTask({ prompt: "NO_TOOL plain", workspaceId, backend: "claude_code", model: "sonnet" });
    expect((await waitForStatus(plain, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
    expect((await getTask(third)).status).toBe("TODO");

    server.release("gpu-a");
    expect((await waitForStatus(first, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
    expect((await waitForStatus(third, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
    expect(JSON.parse((await getTask(third)).gpuIndices)).toEqual([0]);
    server.release("gpu-b");
    expect((await waitForStatus(second, ["DONE", "FAILED"], 90_000)).status).toBe("DONE");
  }, 240_000);
});

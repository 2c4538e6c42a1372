/**
 * A new user's first minutes with an SSH workspace: on a freshly started sshd, the workspace's
 * health and resources are opened and several tasks created at once. The pooled connection is
 * shared by all of them; none may fail because another's channel or the host-key pinning
 * disturbed it. Repeated on 20 fresh hosts.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { freePort, startSshd } from "../../fixtures/sshd";
import { createTask, createWorkspace, logText, runsOf, startEngine, stopEngine, waitForStatus } from "../helpers/engine";
import { PROJECT_ROOT, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

const ROUNDS = Number(process.env.FRESH_HOST_ROUNDS ?? 20);
const TASKS_PER_ROUND = 3;

let testDb: TestDb;
let models: FakeModelServer;
let agentEnv: AgentTestEnv;

beforeAll(async () => {
  testDb = await useTestDatabase();
  models = await startFakeModelServer();
  agentEnv = agentTestEnv(models.url);
  Object.assign(process.env, agentEnv.env);
  (await import("@/server/config")).resetConfigForTests();
  // The app's own pool, as in production: host keys pinned on first use in the Setting table.
  const { setSshPool } = await import("@/server/exec/ssh-pool");
  setSshPool(undefined);
  await startEngine();
}, 60_000);

afterAll(async () => {
  await stopEngine();
  await models?.close();
  agentEnv?.cleanup();
  await testDb?.cleanup();
});

async function get(route: () => Promise<{ GET: (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response> }>, url: string, id: number) {
  const { GET } = await route();
  const response = await GET(jsonRequest(url, "GET"), routeContext({ id: String(id) }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("a fresh SSH host", () => {
  it(`health, resources and ${TASKS_PER_ROUND} tasks at once, on ${ROUNDS} fresh hosts: every task DONE, no dropped connection`, async () => {
    const { setSetting } = await import("@/server/settings");
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const sshd = await startSshd({ sessionEnv: { CLAUDE_CONFIG_DIR: agentEnv.env.CLAUDE_CONFIG_DIR! } });
      try {
        const repo = makeGitRepo(testDb.dir, `fresh-${round}`);
        const workspaceId = await createWorkspace(repo, {
          type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, baseBranch: "main", concurrencyLimit: TASKS_PER_ROUND,
        });
        await setSetting(`remoteCliPath.${workspaceId}.claude_code`, path.join(PROJECT_ROOT, "node_modules", ".bin", "claude"));
        const [health, resources, ...ids] = await Promise.all([
          get(() => import("@/app/api/workspaces/[id]/health/route"), `/api/workspaces/${workspaceId}/health`, workspaceId),
          get(() => import("@/app/api/workspaces/[id]/resources/route"), `/api/workspaces/${workspaceId}/resources`, workspaceId),
          ...Array.from({ length: TASKS_PER_ROUND }, (_, index) =>
            createTask({ prompt: `NO_TOOL round ${round} task ${index}`, workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" }),
          ),
        ]);
        if (health.status !== 200) failures.push(`round ${round}: health ${health.status} ${JSON.stringify(health.body)}`);
        if (resources.status !== 200) failures.push(`round ${round}: resources ${resources.status} ${JSON.stringify(resources.body)}`);
        for (const id of ids as number[]) {
          const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
          if (task.status !== "DONE") failures.push(`round ${round}: task ${id} ${task.status}: ${task.failureReason}\nsshd said:\n${sshd.log().slice(-3000)}`);
        }
      } finally {
        await sshd.stop();
      }
    }
    expect(failures).toEqual([]);
  }, 1_200_000);
});

describe("a host that is not up yet", () => {
  it("a task whose host comes up a few seconds later reconnects while it prepares and ends DONE", async () => {
    const { setSetting } = await import("@/server/settings");
    const port = await freePort();
    const repo = makeGitRepo(testDb.dir, "late-host");
    // A key of the user's own; the host will accept it once it is up.
    const key = path.join(testDb.dir, "late-host-key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], { stdio: "pipe" });
    const workspaceId = await createWorkspace(repo, { type: "ssh", host: "127.0.0.1", port, user: os.userInfo().username, identityFile: key, baseBranch: "main" });
    await setSetting(`remoteCliPath.${workspaceId}.claude_code`, path.join(PROJECT_ROOT, "node_modules", ".bin", "claude"));
    // Nothing listens on the port yet.
    const id = await createTask({ prompt: "NO_TOOL late host", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sshd = await startSshd({ port, sessionEnv: { CLAUDE_CONFIG_DIR: agentEnv.env.CLAUDE_CONFIG_DIR! } });
    try {
      fs.appendFileSync(path.join(sshd.dir, "authorized_keys"), fs.readFileSync(`${key}.pub`));
      const task = await waitForStatus(id, ["DONE", "FAILED"], 180_000);
      const runs = await runsOf(id);
      const logs = await Promise.all(runs.map((run) => logText(run.id)));
      expect([task.status, task.failureReason], logs.join("\n").slice(-3000)).toEqual(["DONE", null]);
      // It reconnected within its run (or was retried automatically): never FAILED for good.
      expect(logs.join("\n")).toContain("Reconnecting in");
      expect(runs.slice(0, -1).every((run) => run.errorClass === "NETWORK")).toBe(true);
    } finally {
      await sshd.stop();
    }
  }, 240_000);
});

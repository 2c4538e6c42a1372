/**
 * GET /api/workspaces/:id/health and /resources on a local workspace and on an SSH workspace
 * (OpenSSH on 127.0.0.1): real git, tmux, agent CLIs, df, /proc. No GPU here: nvidia-smi is
 * played by a script printing the hand-written fixture in nvidia-smi's documented format.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../helpers/engine";
import { PROJECT_ROOT, makeGitRepo, routeContext, jsonRequest, useTestDatabase, type TestDb } from "../helpers/test-env";
import { freePort } from "../../fixtures/sshd";
import { startRemoteSetup, type RemoteSetup } from "./remote-setup";

let testDb: TestDb;
let setup: RemoteSetup;
let repo: string;
let remote: Record<string, unknown>;

async function get(kind: "health" | "resources", id: number) {
  const route = kind === "health" ? await import("@/app/api/workspaces/[id]/health/route") : await import("@/app/api/workspaces/[id]/resources/route");
  const response = await route.GET(jsonRequest(`/api/workspaces/${id}/${kind}`, "GET"), routeContext({ id: String(id) }));
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  setup = await startRemoteSetup({ docker: false });
  const { setSshPool } = await import("@/server/exec/ssh-pool");
  setSshPool(undefined);
  repo = makeGitRepo(testDb.dir);
  remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };
}, 120_000);

afterAll(async () => {
  await setup?.stop();
  await testDb?.cleanup();
});

const memTotal = () => Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync("/proc/meminfo", "utf8"))![1]) * 1024;

describe("workspace health", () => {
  it("reports a local workspace: git, branch, tmux, agent CLIs, free disk", async () => {
    const id = await createWorkspace(repo);
    const { status, body } = await get("health", id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ reachable: true, error: null, isGitRepo: true, baseBranch: "main", hostKey: null });
    expect(body.tmux).toMatch(/^\d+\.\d+/);
    expect(body.agents.claude_code).toMatchObject({ available: true });
    expect(body.agents.claude_code.version).toMatch(/\d+\.\d+\.\d+/);
    expect(body.freeDiskBytes).toBeGreaterThan(0);
  });

  it("asks an agent CLI for its version once per machine and binary, and again when the binary changes", async () => {
    const calls = path.join(testDb.dir, "version-calls");
    const cli = path.join(testDb.dir, "claude-version-stub");
    fs.writeFileSync(cli, `#!/bin/sh\necho "$@" >> '${calls}'\necho '9.9.9 (stub)'\n`, { mode: 0o755 });
    const countCalls = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter((line) => line === "--version").length : 0);
    const saved = process.env.AI_SLAVE_CLAUDE_BIN;
    process.env.AI_SLAVE_CLAUDE_BIN = cli;
    try {
      // Each workspace's health is its own probe; the CLI is this machine's.
      const first = await get("health", await createWorkspace(repo));
      expect(first.body.agents.claude_code).toEqual({ available: true, version: "9.9.9 (stub)" });
      expect((await get("health", await createWorkspace(repo))).body.agents.claude_code.version).toBe("9.9.9 (stub)");
      expect(countCalls()).toBe(1);
      // Installed again: asked again at once.
      fs.writeFileSync(cli, `#!/bin/sh\necho "$@" >> '${calls}'\necho '10.0.0 (stub)'\n`, { mode: 0o755 });
      fs.utimesSync(cli, new Date(), new Date(Date.now() + 60_000));
      expect((await get("health", await createWorkspace(repo))).body.agents.claude_code.version).toBe("10.0.0 (stub)");
      expect(countCalls()).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.AI_SLAVE_CLAUDE_BIN;
      else process.env.AI_SLAVE_CLAUDE_BIN = saved;
    }
  });

  it("reports an SSH workspace through the login shell, with the pinned host key", async () => {
    const id = await createWorkspace(repo, { type: "ssh", ...remote, baseBranch: "main" });
    const { setSetting } = await import("@/server/settings");
    await setSetting(`remoteCliPath.${id}.claude_code`, path.join(PROJECT_ROOT, "node_modules", ".bin", "claude"));
    await setSetting(`remoteCliPath.${id}.codex_cli`, path.join(PROJECT_ROOT, "node_modules", ".bin", "codex"));
    const { status, body } = await get("health", id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ reachable: true, error: null, isGitRepo: true, baseBranch: "main" });
    expect(body.tmux).toMatch(/^\d+\.\d+/);
    expect(body.agents.claude_code.version).toMatch(/\d+\.\d+\.\d+/);
    expect(body.agents.codex_cli.version).toMatch(/codex-cli \d+\.\d+\.\d+/);
    expect(body.freeDiskBytes).toBeGreaterThan(0);
    expect(body.hostKey).toMatchObject({ source: "pinned" });
    expect(body.hostKey.fingerprint).toMatch(/^SHA256:/);
  });

  it("says what is wrong: not a repository, CLIs missing, host unreachable", async () => {
    const plain = fs.mkdtempSync(path.join(testDb.dir, "plain-"));
    const notRepo = await createWorkspace(plain, { type: "ssh", ...remote, baseBranch: "main" });
    const { body } = await get("health", notRepo);
    expect(body).toMatchObject({ reachable: true, isGitRepo: false, baseBranch: null });
    expect(body.error).toContain("is not a git repository");
    // No remoteCliPath setting: `claude` is looked up on the login PATH, where it is not.
    expect(body.agents.claude_code).toEqual({ available: false, version: null });

    const down = await createWorkspace(repo, { type: "ssh", ...remote, port: await freePort(), baseBranch: "main" });
    const unreachable = await get("health", down);
    expect(unreachable.status).toBe(200);
    expect(unreachable.body).toMatchObject({ reachable: false, isGitRepo: false });
    expect(unreachable.body.error).toMatch(/ECONNREFUSED/);
  });
});

describe("workspace resources", () => {
  it("reads memory, load and CPUs of this machine, locally and over SSH; no GPU is an empty list", async () => {
    for (const extra of [{}, { type: "ssh", ...remote, baseBranch: "main" }]) {
      const id = await createWorkspace(repo, extra);
      const { status, body } = await get("resources", id);
      expect(status).toBe(200);
      expect(Math.abs(body.memory.totalBytes - memTotal())).toBeLessThan(1024 * 1024);
      expect(body.memory.usedBytes + body.memory.availableBytes).toBe(body.memory.totalBytes);
      expect(body.load).toHaveLength(3);
      expect(body.cpus).toBe(os.cpus().length);
      expect(body.gpus).toEqual([]);
    }
  });

  it("lists GPUs from nvidia-smi when there is one", async () => {
    const bin = fs.mkdtempSync(path.join(testDb.dir, "bin-"));
    const csv = path.join(PROJECT_ROOT, "tests", "fixtures", "nvidia-smi-documented-format.csv");
    fs.writeFileSync(path.join(bin, "nvidia-smi"), `#!/bin/sh\ncat '${csv}'\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${process.env.PATH}`;
    const id = await createWorkspace(repo);
    const { body } = await get("resources", id);
    expect(body.gpus).toHaveLength(3);
    expect(body.gpus[0]).toEqual({ index: 0, name: "NVIDIA H100 80GB HBM3", memoryUsedMiB: 1234, memoryTotalMiB: 81559, utilizationPct: 7 });
  });
});

/**
 * The new agents on remote workspaces: Gemini CLI over OpenSSH on 127.0.0.1 (Node is on the
 * host's login PATH), and opencode over SSH and in a container on that host (opencode is a native
 * binary, so the container needs no Node: .agent-clis is mounted read-only at the same path).
 * The container uses `--network host` to reach the fake model server on 127.0.0.1. opencode's
 * config comes inline (OPENCODE_CONFIG_CONTENT) since the test's config file is not in the container.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentBinaries, agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, runsOf, startEngine, stopEngine, taskAction, waitForStatus } from "../helpers/engine";
import { PROJECT_ROOT, git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { startRemoteSetup, type RemoteSetup } from "./remote-setup";

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let setup: RemoteSetup;
let repo: string;
let sshWorkspace: number;
let containerWorkspace: number | null = null;
let container: string | null = null;

/**
 * The only variable named for the remote side: the fake provider's key, which no agent's prefix
 * covers. GEMINI_*, GOOGLE_* and OPENCODE_* (endpoints, keys, opencode's inline config) travel by
 * the adapters' forwardedEnvPrefixes. Paths of this machine never travel (GEMINI_CLI_HOME, the
 * XDG dirs): the host's login environment sets them, as a user's profile would.
 */
const REMOTE_ENV = ["FAKE_API_KEY"];
const HOST_LOGIN_ENV = ["GEMINI_CLI_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"];

/** Waits for the task to end; on a timeout the error carries the remote run's files, to say why. */
async function finished(id: number, timeoutMs: number) {
  try {
    return await waitForStatus(id, ["DONE", "FAILED"], timeoutMs);
  } catch (error) {
    const dir = path.join(path.dirname(repo), ".ai-slave", `task-${id}`);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => `--- ${name}\n${fs.readFileSync(path.join(dir, name), "utf8").slice(-3000)}`) : ["(no remote task folder)"];
    throw new Error(`${(error as Error).message}\n${files.join("\n")}`);
  }
}

async function setSetting(key: string, value: unknown) {
  const { setSetting } = await import("@/server/settings");
  await setSetting(key, value);
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  const opencodeConfig = {
    autoupdate: false,
    share: "disabled",
    small_model: "fake/fake-model",
    provider: { fake: { npm: "@ai-sdk/openai-compatible", name: "Fake", options: { baseURL: `${server.url}/v1`, apiKey: "{env:FAKE_API_KEY}" }, models: { "fake-model": { name: "Fake", tool_call: true, limit: { context: 128000, output: 8192 } } } } },
  };
  Object.assign(process.env, agentEnv.env, {
    AI_SLAVE_CANCEL_GRACE_MS: "1500",
    AI_SLAVE_REMOTE_ENV: REMOTE_ENV.join(","),
    OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeConfig),
  });
  (await import("@/server/config")).resetConfigForTests();
  setup = await startRemoteSetup({ docker: true, sessionEnv: Object.fromEntries(HOST_LOGIN_ENV.map((name) => [name, agentEnv.env[name]!])) });
  const { setSshPool } = await import("@/server/exec/ssh-pool");
  setSshPool(undefined);
  await startEngine();
  const remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };

  repo = makeGitRepo(testDb.dir);
  sshWorkspace = await createWorkspace(repo, { type: "ssh", ...remote, loginShell: "bash", baseBranch: "main" });
  await setSetting(`remoteCliPath.${sshWorkspace}.gemini_cli`, agentBinaries.gemini);
  await setSetting(`remoteCliPath.${sshWorkspace}.opencode`, agentBinaries.opencode);

  if (setup.docker) {
    const clis = `${PROJECT_ROOT}/.agent-clis`;
    container = await setup.docker.runContainer("ai-slave-more-agents-test", { network: "host", mounts: [`${clis}:${clis}:ro`] });
    await setup.docker.docker(["exec", container, "sh", "-c", "git init -q -b main /srv/repo && cd /srv/repo && echo '# in a container' > README.md && git add . && git -c user.name=T -c user.email=t@e commit -qm initial"]);
    containerWorkspace = await createWorkspace("/srv/repo", { type: "ssh_container", ...remote, containerName: container, baseBranch: "main" });
    await setSetting(`remoteCliPath.${containerWorkspace}.opencode`, agentBinaries.opencode);
  } else {
    console.warn(`[remote tests] container runs skipped: ${setup.dockerSkip}`);
  }
}, 600_000);

afterAll(async () => {
  await stopEngine();
  await setup?.stop();
  await server?.close();
  agentEnv?.cleanup();
  await testDb?.cleanup();
});

describe("new agents on an SSH workspace", () => {
  it("runs Gemini CLI in the task's tmux session: DONE, file committed, per-run usage; continue resumes the session", async () => {
    const id = await createTask({ prompt: "Create the file. FILE:gemini-ssh.txt", workspaceId: sshWorkspace, backend: "gemini_cli", model: "gemini-2.5-flash" });
    const task = await finished(id, 120_000);
    expect(task.failureReason).toBeNull();
    expect(git(repo, "show", `task-${id}:gemini-ssh.txt`)).toContain("hello from fake model");
    const [run] = await runsOf(id);
    const { serverId } = await import("@/server/runs/session");
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, tmuxSession: `ai-slave-${await serverId()}-task-${id}`, inputTokens: 1600, cacheReadTokens: 400, outputTokens: 60, costSource: "estimated" });
    await taskAction(id, "continue", { prompt: "NO_TOOL And now?" });
    expect((await finished(id, 120_000)).failureReason).toBeNull();
    const runs = await runsOf(id);
    expect(runs[1]).toMatchObject({ status: "DONE", resumeSessionId: run!.sessionId, sessionId: run!.sessionId, outputTokens: 30 });
  }, 300_000);

  it("runs opencode over SSH: DONE with the file committed and its reported usage", async () => {
    const id = await createTask({ prompt: "Create the file. FILE:opencode-ssh.txt", workspaceId: sshWorkspace, backend: "opencode", model: "fake/fake-model" });
    const task = await finished(id, 150_000);
    expect(task.failureReason).toBeNull();
    expect(git(repo, "show", `task-${id}:opencode-ssh.txt`)).toContain("hello from fake model");
    expect((await runsOf(id))[0]).toMatchObject({ status: "DONE", exitCode: 0, inputTokens: 1800, cacheReadTokens: 200, outputTokens: 60, costSource: "reported" });
  }, 200_000);
});

describe("a new agent in a container on an SSH host", () => {
  it("runs opencode through docker exec: DONE, file committed on the task branch inside the container", async (context) => {
    if (!setup.docker || !containerWorkspace || !container) {
      // CI requires Docker (REQUIRE_DOCKER=1): there a missing container fails, never skips.
      if (process.env.REQUIRE_DOCKER === "1") throw new Error(`the container was not set up: ${setup.dockerSkip ?? "no container"}`);
      return context.skip();
    }
    const id = await createTask({ prompt: "Create the file. FILE:opencode-container.txt", workspaceId: containerWorkspace, backend: "opencode", model: "fake/fake-model" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 150_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    const shown = await setup.docker.docker(["exec", container, "git", "-C", "/srv/repo", "show", `task-${id}:opencode-container.txt`]);
    expect(shown).toContain("hello from fake model");
    expect((await runsOf(id))[0]).toMatchObject({ status: "DONE", exitCode: 0, outputTokens: 60 });
  }, 200_000);
});

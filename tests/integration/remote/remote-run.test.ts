/**
 * Real Claude Code runs on remote workspaces: over OpenSSH on 127.0.0.1, and in a container on
 * that host (docker exec). The agent runs detached in the task's tmux session; the server
 * follows its log file, survives a dropped connection, and re-attaches after a restart with a
 * log that has no gap and no duplicate.
 *
 * The container uses `--network host` so the fake model server on 127.0.0.1 is reachable from it,
 * and has the repo's node_modules mounted read-only at the same path: Claude Code is a native
 * binary there (glibc only), so no Node is needed inside.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, runsOf, startEngine, stopEngine, taskAction, waitFor, waitForStatus } from "../helpers/engine";
import { PROJECT_ROOT, git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";
import { startRemoteSetup, type RemoteSetup } from "./remote-setup";

const MODEL = "claude-sonnet-4-5";
const CLAUDE = path.join(PROJECT_ROOT, "node_modules", ".bin", "claude");

let testDb: TestDb;

async function serverId(): Promise<string> {
  return (await import("@/server/runs/session")).serverId();
}
let server: FakeModelServer;
let agentEnv: AgentTestEnv;
let setup: RemoteSetup;
let repo: string;
let sshWorkspace: number;
/** The same host and repository through zsh as the login shell. */
let zshWorkspace: number;
let containerWorkspace: number | null = null;
let container: string | null = null;

async function setSetting(key: string, value: unknown) {
  const { setSetting } = await import("@/server/settings");
  await setSetting(key, value);
}

/** The task's diff through the API, then its merge: both run git on the remote side. */
async function expectDiffAndMerge(id: number, file: string): Promise<void> {
  const { GET } = await import("@/app/api/tasks/[id]/diff/route");
  const response = await GET(jsonRequest(`/api/tasks/${id}/diff`, "GET"), routeContext({ id: String(id) }));
  const diff = await response.json();
  expect(response.status, JSON.stringify(diff)).toBe(200);
  expect(diff.files).toEqual([{ path: file, status: "added", additions: 1, deletions: 0 }]);
  expect(diff.patch).toContain("+hello from fake model");
  const merged = await taskAction(id, "merge");
  expect(merged.status, JSON.stringify(merged.body)).toBe(200);
  expect(merged.body.merge.kind).toBe("fast-forward");
}

async function storedLog(runId: number) {
  const { readLog } = await import("@/server/events/log-store");
  return readLog(runId, 0, 100_000);
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  // Codex reads its key from the variable its config names: forwarded to the remote side by name.
  Object.assign(process.env, agentEnv.env, { AI_SLAVE_CANCEL_GRACE_MS: "1500", AI_SLAVE_REMOTE_ENV: "FAKE_OPENAI_API_KEY" });
  (await import("@/server/config")).resetConfigForTests();
  // The agents' config dirs are paths on this machine: the server does not forward them, so the
  // host's login environment names them, as a user's profile would.
  setup = await startRemoteSetup({ docker: true, sessionEnv: { CLAUDE_CONFIG_DIR: agentEnv.env.CLAUDE_CONFIG_DIR!, CODEX_HOME: agentEnv.env.CODEX_HOME! } });
  // The app's own pool: host keys are pinned in the Setting table.
  const { setSshPool } = await import("@/server/exec/ssh-pool");
  setSshPool(undefined);
  await startEngine();
  const remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };

  repo = makeGitRepo(testDb.dir);
  sshWorkspace = await createWorkspace(repo, { type: "ssh", ...remote, loginShell: "bash", baseBranch: "main" });
  await setSetting(`remoteCliPath.${sshWorkspace}.claude_code`, CLAUDE);
  zshWorkspace = await createWorkspace(repo, { type: "ssh", ...remote, loginShell: "zsh", baseBranch: "main" });
  await setSetting(`remoteCliPath.${zshWorkspace}.codex_cli`, path.join(PROJECT_ROOT, "node_modules", ".bin", "codex"));

  if (setup.docker) {
    container = await setup.docker.runContainer("ai-slave-agent-test", { network: "host", mounts: [`${PROJECT_ROOT}/node_modules:${PROJECT_ROOT}/node_modules:ro`] });
    await setup.docker.docker(["exec", container, "sh", "-c", "git init -q -b main /srv/repo && cd /srv/repo && echo '# in a container' > README.md && git add . && git -c user.name=T -c user.email=t@e commit -qm initial"]);
    containerWorkspace = await createWorkspace("/srv/repo", { type: "ssh_container", ...remote, containerName: container, baseBranch: "main" });
    await setSetting(`remoteCliPath.${containerWorkspace}.claude_code`, CLAUDE);
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

describe("agent runs on an SSH workspace", () => {
  it("runs Claude Code in the task's tmux session: DONE, file committed on the task branch of the remote repo", async () => {
    const id = await createTask({ prompt: "Create the file. FILE:hello-ssh.txt", workspaceId: sshWorkspace, backend: "claude_code", model: MODEL });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    expect(git(repo, "show", `task-${id}:hello-ssh.txt`)).toContain("hello from fake model");
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, tmuxSession: `ai-slave-${await serverId()}-task-${id}` });
    expect(run!.sessionId).toBeTruthy();
    const logFile = path.join(path.dirname(repo), ".ai-slave", `task-${id}`, `run-${run!.id}.log`);
    expect(fs.readFileSync(logFile, "utf8")).toContain('"type":"result"');
    // Trust on first use: the host key is pinned where the UI can show it.
    const { getSetting } = await import("@/server/settings");
    const pinned = await getSetting<{ fingerprint: string } | null>(`hostKey.127.0.0.1:${setup.sshd.port}`, null);
    expect(pinned?.fingerprint).toMatch(/^SHA256:/);
    await expectDiffAndMerge(id, "hello-ssh.txt");
    expect(fs.readFileSync(path.join(repo, "hello-ssh.txt"), "utf8")).toContain("hello from fake model");
    // Deleting the task clears what it left on the remote host: its log folder goes.
    const { DELETE } = await import("@/app/api/tasks/[id]/route");
    expect((await DELETE(jsonRequest(`/api/tasks/${id}`, "DELETE"), routeContext({ id: String(id) }))).status).toBe(204);
    expect(fs.existsSync(path.dirname(logFile))).toBe(false);
  }, 120_000);

  it("runs Codex CLI the same way, with zsh as the login shell", async () => {
    const id = await createTask({ prompt: "Create the file. FILE:hello-codex.txt", workspaceId: zshWorkspace, backend: "codex_cli", model: "gpt-5.5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    expect(git(repo, "show", `task-${id}:hello-codex.txt`)).toContain("hello from fake model");
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, tmuxSession: `ai-slave-${await serverId()}-task-${id}` });
    expect(run!.sessionId).toBeTruthy();
  }, 120_000);

  it("setup, a check with a fix round and a Codex review of Claude's work run the same way over SSH", async () => {
    const verified = makeGitRepo(testDb.dir, "verified");
    fs.writeFileSync(path.join(verified, ".gitignore"), ".tools/\n");
    git(verified, "add", ".gitignore");
    git(verified, "commit", "-q", "-m", "ignore tools");
    const remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };
    const setupScript = "mkdir -p .tools && printf '%s\\n' '#!/bin/sh' 'test -f check-fix.txt && exit 0' 'echo \"check: missing FILE:check-fix.txt\"; exit 4' > .tools/verify && chmod +x .tools/verify";
    const workspaceId = await createWorkspace(verified, {
      type: "ssh", ...remote, baseBranch: "main", setupScript, checkCommand: ".tools/verify", reviewBackend: "codex_cli", reviewModel: "gpt-5.5",
    });
    await setSetting(`remoteCliPath.${workspaceId}.claude_code`, CLAUDE);
    await setSetting(`remoteCliPath.${workspaceId}.codex_cli`, path.join(PROJECT_ROOT, "node_modules", ".bin", "codex"));
    const id = await createTask({ prompt: "Create the file. FILE:remote-feature.txt REVIEW_PLAN:changes,approve", workspaceId, backend: "claude_code", model: MODEL });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 300_000);
    expect([task.status, task.failureReason, task.checkState, task.reviewState]).toEqual(["DONE", null, "PASSED", "APPROVED"]);
    const runs = await runsOf(id);
    expect(runs.map((run) => [run.kind, run.backend, run.checkState, run.reviewVerdict])).toEqual([
      ["initial", "claude_code", "FAILED", null],
      ["fix", "claude_code", "PASSED", null],
      ["review", "codex_cli", null, "request_changes"],
      ["fix", "claude_code", "PASSED", null],
      ["review", "codex_cli", null, "approve"],
    ]);
    expect(runs[1]!.prompt).toContain("check: missing FILE:check-fix.txt");
    expect(runs[3]!.prompt).toContain("- remote-feature.txt:1 (major)");
    for (const file of ["remote-feature.txt", "check-fix.txt", "review-fix.txt"]) expect(git(verified, "show", `task-${id}:${file}`)).toContain("hello from fake model");
  }, 360_000);

  it("cancel stops the remote agent's whole process group", async () => {
    const id = await createTask({ prompt: "NO_TOOL SLEEP:120000", workspaceId: sshWorkspace, backend: "claude_code", model: MODEL });
    const run = await waitFor(async () => (await runsOf(id)).find((entry) => entry.tmuxSession), 60_000, "the remote run to start");
    const agentPidFile = path.join(path.dirname(repo), ".ai-slave", `task-${id}`, `run-${run.id}.agent-pid`);
    const agentPid = Number(await waitFor(async () => fs.existsSync(agentPidFile) && fs.readFileSync(agentPidFile, "utf8").trim(), 30_000, "the agent's pid"));
    expect(fs.existsSync(`/proc/${agentPid}`)).toBe(true);
    const started = Date.now();
    const { services } = await import("@/server/services");
    expect(await services().runControl!.cancel(id)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    const task = await getTask(id);
    expect(task.status).toBe("FAILED");
    expect((await runsOf(id))[0]).toMatchObject({ status: "FAILED", errorClass: "CANCELLED" });
    await waitFor(async () => !fs.existsSync(`/proc/${agentPid}`) || fs.readFileSync(`/proc/${agentPid}/stat`, "utf8").includes(") Z "), 10_000, "the agent to end");
  }, 120_000);

  it("keeps following the log across a dropped connection", async () => {
    const id = await createTask({ prompt: "Create the file. FILE:dropped.txt SLEEP:2500", workspaceId: sshWorkspace, backend: "claude_code", model: MODEL });
    const run = await waitFor(async () => (await runsOf(id)).find((entry) => entry.tmuxSession), 60_000, "the remote run to start");
    await waitFor(async () => (await storedLog(run.id)).some((event) => event.kind === "session"), 60_000, "the first agent line");
    const { appSshPool } = await import("@/server/exec/transport-for");
    appSshPool().destroyAll();
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.status).toBe("DONE");
    expect(git(repo, "show", `task-${id}:dropped.txt`)).toContain("hello from fake model");
    await expectLogMatchesRemote(run.id, path.join(path.dirname(repo), ".ai-slave", `task-${id}`, `run-${run.id}.log`));
  }, 120_000);

  it.each([
    { when: "while the agent still runs", agentEndsFirst: false },
    { when: "after the agent ended while the server was down", agentEndsFirst: true },
  ])("re-attaches after a server restart $when: DONE with the whole log, no gap, no duplicate", async ({ agentEndsFirst }) => {
    const { activeRuns } = await import("@/server/runs/active-runs");
    const { reconcileRuns } = await import("@/server/runs/reconcile");
    const { setSshPool } = await import("@/server/exec/ssh-pool");
    const file = agentEndsFirst ? "ended-while-down.txt" : "restarted.txt";
    const id = await createTask({ prompt: `Create the file. FILE:${file} SLEEP:3000`, workspaceId: sshWorkspace, backend: "claude_code", model: MODEL });
    const run = await waitFor(async () => (await runsOf(id)).find((entry) => entry.tmuxSession), 60_000, "the remote run to start");
    const checkpointFile = path.join(testDb.dir, "tasks", "run-checkpoints", `run-${run.id}.json`);
    // The checkpoint written before the agent started: restoring it below plays a crash whose
    // last checkpoint is older than the stored log, which must then be trimmed and read again.
    const firstCheckpoint = fs.readFileSync(checkpointFile, "utf8");
    await waitFor(async () => (await storedLog(run.id)).some((event) => event.kind === "session"), 60_000, "the first agent line");

    // The server goes away: it stops following (the agent lives on in tmux), its connections close.
    const active = activeRuns().get(id)!;
    expect(active.detach).not.toBeNull();
    await active.detach!();
    activeRuns().delete(id);
    setSshPool(undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    fs.writeFileSync(checkpointFile, firstCheckpoint);
    expect((await getTask(id)).status).toBe("RUNNING");
    const remoteLog = path.join(path.dirname(repo), ".ai-slave", `task-${id}`, `run-${run.id}.log`);
    if (agentEndsFirst) await waitFor(async () => fs.existsSync(remoteLog.replace(/\.log$/, ".exit")), 60_000, "the agent to end");

    // The next start re-attaches instead of failing the run.
    expect(await reconcileRuns()).toEqual({ reattached: 1, failed: 0, retried: 0, requeued: 0 });
    expect(activeRuns().has(id)).toBe(true);
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    expect(git(repo, "show", `task-${id}:${file}`)).toContain("hello from fake model");
    const [finished] = await runsOf(id);
    expect(finished).toMatchObject({ status: "DONE", exitCode: 0 });
    expect(finished!.sessionId).toBeTruthy();
    expect(finished!.outputTokens).toBeGreaterThan(0);
    const events = await storedLog(run.id);
    expect(events.some((event) => event.kind === "system" && event.message.includes("re-attached"))).toBe(true);
    await expectLogMatchesRemote(run.id, remoteLog);
    // Removed once the outcome is recorded.
    await waitFor(async () => !fs.existsSync(checkpointFile), 5_000, "the checkpoint to be removed");
  }, 150_000);
});

/** Every line of the remote stdout log is in the stored log exactly once, in order, and seq has no hole. */
async function expectLogMatchesRemote(runId: number, logFile: string): Promise<void> {
  const events = await storedLog(runId);
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  const stored = events.filter((event) => "line" in event && typeof event.line === "string").map((event) => (event as { line: string }).line);
  const remote = fs.readFileSync(logFile, "utf8").split("\n").filter((line, index, all) => index < all.length - 1 || line !== "");
  expect(fs.readFileSync(logFile.replace(/\.log$/, ".stderr.log"), "utf8")).toBe("");
  expect(remote.length).toBeGreaterThan(3);
  expect(stored).toEqual(remote);
}

describe("agent runs in a container on an SSH host", () => {
  it("runs Claude Code through docker exec: DONE, file committed on the task branch inside the container", async (context) => {
    if (!setup.docker || !containerWorkspace || !container) return context.skip();
    const id = await createTask({ prompt: "Create the file. FILE:hello-container.txt", workspaceId: containerWorkspace, backend: "claude_code", model: MODEL });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.failureReason).toBeNull();
    expect(task.status).toBe("DONE");
    expect(task.worktreePath).toBe(`/srv/repo-task-${id}`);
    const shown = await setup.docker.docker(["exec", container, "git", "-C", "/srv/repo", "show", `task-${id}:hello-container.txt`]);
    expect(shown).toContain("hello from fake model");
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ status: "DONE", exitCode: 0, tmuxSession: `ai-slave-${await serverId()}-task-${id}` });
    // The log lives inside the container, not on the host.
    const log = await setup.docker.docker(["exec", container, "cat", `/srv/.ai-slave/task-${id}/run-${run!.id}.log`]);
    expect(log).toContain('"type":"result"');
    await expectDiffAndMerge(id, "hello-container.txt");
    expect(await setup.docker.docker(["exec", container, "cat", "/srv/repo/hello-container.txt"])).toContain("hello from fake model");
  }, 120_000);
});

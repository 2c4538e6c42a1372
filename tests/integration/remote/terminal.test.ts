/**
 * The terminal WebSocket through server.ts's upgrade hook: a browser-like client types into the
 * task's tmux session (over SSH, in a container through docker exec -it, and locally through
 * script(1)) and reads the shell's answer back; resizes reach tmux; closing detaches.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createTask, createWorkspace } from "../helpers/engine";
import { makeGitRepo, routeContext, jsonRequest, useTestDatabase, type TestDb } from "../helpers/test-env";
import { startRemoteSetup, type RemoteSetup } from "./remote-setup";

let testDb: TestDb;
let setup: RemoteSetup;
let http: Server;
let port: number;
let container: string | null = null;
const localTmuxDir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-local-tmux-"));

beforeAll(async () => {
  testDb = await useTestDatabase();
  // The local terminal's tmux server is this test's own, not the machine's default one.
  process.env.TMUX_TMPDIR = localTmuxDir;
  setup = await startRemoteSetup({ docker: true });
  const { setSshPool } = await import("@/server/exec/ssh-pool");
  setSshPool(undefined);
  if (setup.docker) container = await setup.docker.runContainer("ai-slave-terminal-test");
  const { attachUpgradeHandler } = await import("@/server/http/upgrade");
  const { loadConfig } = await import("@/server/config");
  const { createGate } = await import("@/server/http/gate");
  const { createTokenSource } = await import("@/server/auth/token");
  // The token itself is tests/integration/http/access.test.ts's subject; here only the terminal is.
  const gate = createGate({ bindHost: "127.0.0.1", allowedHosts: [], tokens: createTokenSource({ file: "", authOff: true }) });
  http = createServer((_request, response) => response.writeHead(404).end());
  attachUpgradeHandler(http, (_request, socket) => void socket.destroy(), loadConfig(), gate);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  port = (http.address() as AddressInfo).port;
}, 600_000);

afterAll(async () => {
  http?.close();
  await setup?.stop();
  try {
    execFileSync("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: localTmuxDir }, stdio: "pipe" });
  } catch {
    // No local tmux server was started.
  }
  fs.rmSync(localTmuxDir, { recursive: true, force: true });
  await testDb?.cleanup();
});

interface Client {
  socket: WebSocket;
  output(): string;
  controls: { type: string; session?: string; message?: string }[];
  closed: Promise<number>;
}

function connect(taskId: number, origin = `http://127.0.0.1:${port}`): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/tasks/${taskId}/terminal`, { headers: { Origin: origin } });
  const chunks: Buffer[] = [];
  const controls: Client["controls"] = [];
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  socket.on("message", (data: Buffer, isBinary) => {
    if (isBinary) chunks.push(data);
    else controls.push(JSON.parse(data.toString()));
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, output: () => Buffer.concat(chunks).toString("utf8"), controls, closed }));
    socket.once("error", reject);
  });
}

async function until(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The page's first request: it also registers the WebSocket endpoint with server.ts. */
async function terminalInfo(taskId: number) {
  const { GET } = await import("@/app/api/tasks/[id]/terminal/route");
  const response = await GET(jsonRequest(`/api/tasks/${taskId}/terminal`, "GET"), routeContext({ id: String(taskId) }));
  expect(response.status).toBe(200);
  return response.json();
}

/** The task's tmux session: this server's id and the task's. */
async function sessionOf(taskId: number): Promise<string> {
  const { serverId } = await import("@/server/runs/session");
  const name = `ai-slave-${await serverId()}-task-${taskId}`;
  expect(name).toMatch(/^ai-slave-[0-9a-f]{8}-task-\d+$/);
  return name;
}

/** Types into the terminal and reads the shell's answer: `$((6*7))` proves a shell ran it. */
async function expectShellAnswers(taskId: number, tmux: (args: string[]) => Promise<string>): Promise<void> {
  const session = await sessionOf(taskId);
  const client = await connect(taskId);
  const windowSize = async () => (await tmux(["display-message", "-p", "-t", session, "#{window_width}x#{window_height}"])).trim();
  // As the page does: its size first, which the PTY opens at.
  client.socket.send(JSON.stringify({ type: "resize", cols: 90, rows: 25 }));
  await until(() => client.controls.some((control) => control.type === "ready"), "the ready message");
  expect(client.controls[0]).toEqual({ type: "ready", session });
  await until(() => client.output().length > 0, "the prompt");
  // One row is tmux's status line.
  await expect.poll(windowSize, { timeout: 10_000 }).toBe("90x24");
  // Then a resize at once, before the program in the PTY settled (in a container, before the
  // docker client follows size changes): it arrives all the same.
  client.socket.send(JSON.stringify({ type: "resize", cols: 101, rows: 31 }));
  client.socket.send(Buffer.from("echo hi-$((6*7)) ✓\r"));
  await until(() => client.output().includes("hi-42 ✓"), "echo's answer");
  await expect.poll(windowSize, { timeout: 10_000 }).toBe("101x30");
  client.socket.close();
  expect(await client.closed).toBe(1005);
  // Closing the page detaches: the session lives on for the next visit (and for an agent in it).
  await expect.poll(async () => (await tmux(["list-sessions", "-F", "#{session_name}:#{session_attached}"])).split("\n"), { timeout: 10_000 }).toContain(`${session}:0`);
  const again = await connect(taskId);
  again.socket.send(Buffer.from("echo again-$((1+1))\r"));
  await until(() => again.output().includes("again-2"), "the reattached session's answer");
  again.socket.close();
}

describe("terminal WebSocket", () => {
  it("attaches to the task's tmux session over SSH, creating it in the worktree", async () => {
    const repo = makeGitRepo(testDb.dir, "ssh-repo");
    const remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };
    const workspaceId = await createWorkspace(repo, { type: "ssh", ...remote, baseBranch: "main" });
    const taskId = await createTask({ prompt: "terminal", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    expect(await terminalInfo(taskId)).toMatchObject({ sessionName: await sessionOf(taskId), cwd: repo, websocketPath: `/api/tasks/${taskId}/terminal` });
    const transport = setup.transport("bash");
    await expectShellAnswers(taskId, async (args) => (await transport.exec(["tmux", ...args], { cwd: "/" })).stdout);
    const cwd = await transport.exec(["tmux", "display-message", "-p", "-t", await sessionOf(taskId), "#{pane_current_path}"], { cwd: "/" });
    expect(cwd.stdout.trim()).toBe(repo);
  });

  it("attaches inside the container through docker exec -it", async (context) => {
    if (!container) return context.skip();
    await setup.docker!.docker(["exec", container, "sh", "-c", "git init -q -b main /srv/repo && cd /srv/repo && git -c user.name=T -c user.email=t@e commit -q --allow-empty -m initial"]);
    const remote = { host: setup.sshd.host, port: setup.sshd.port, user: setup.sshd.user, identityFile: setup.sshd.identityFile };
    const workspaceId = await createWorkspace("/srv/repo", { type: "ssh_container", ...remote, containerName: container, baseBranch: "main" });
    const taskId = await createTask({ prompt: "terminal", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    await terminalInfo(taskId);
    const transport = setup.transport("bash", container);
    await expectShellAnswers(taskId, async (args) => (await transport.exec(["tmux", ...args], { cwd: "/" })).stdout);
  });

  it("gives local workspaces a terminal too (script(1) allocates the PTY)", async () => {
    const repo = makeGitRepo(testDb.dir, "local-repo");
    const workspaceId = await createWorkspace(repo);
    const taskId = await createTask({ prompt: "terminal", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    await terminalInfo(taskId);
    await expectShellAnswers(taskId, async (args) => execFileSync("tmux", args, { env: { ...process.env, TMUX_TMPDIR: localTmuxDir } }).toString());
  });

  it("refuses a cross-site Origin and an unknown task", async () => {
    await expect(connect(1, "http://evil.example")).rejects.toThrow(/403/);
    const client = await connect(999_999);
    expect(await client.closed).toBe(1011);
    expect(client.controls[0]).toMatchObject({ type: "error", message: "No task with id 999999." });
  });
});

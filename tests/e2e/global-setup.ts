import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentTestEnv } from "../fixtures/agent-env";
import { startFakeModelServer } from "../fixtures/fake-model-server";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

async function waitForHealth(url: string, child: { exitCode: number | null }, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not become healthy:\n${log()}`);
}

/**
 * Starts a fake model server and the real AI-Slave production server on a temp database; the
 * agents it runs are the real CLIs, pointed at the fake server through the server's environment.
 * Tests find the temp git repo's path in E2E_REPO.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-e2e-"));
  const models = await startFakeModelServer();
  const agents = agentTestEnv(models.url);
  const port = Number(process.env.E2E_PORT ?? 3199);
  const repo = path.join(dir, "repo");
  fs.mkdirSync(repo);
  const git = (...args: string[]) => spawn("git", args, { cwd: repo, stdio: "ignore" });
  for (const args of [["init", "-q", "-b", "main"], ["-c", "user.name=E2E", "-c", "user.email=e2e@localhost", "commit", "-q", "--allow-empty", "-m", "initial"]]) {
    await new Promise((resolve) => git(...args).once("exit", resolve));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...agents.env,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`,
    // The terminal's tmux sessions go to a tmux server of this run's own, stopped at the end.
    TMUX_TMPDIR: dir,
    AI_SLAVE_CANCEL_GRACE_MS: "1500",
    // Far off: a task that starts at once proves the API pokes the scheduler in the same process.
    AI_SLAVE_SCAN_INTERVAL_MS: "600000",
  };
  const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout.on("data", (chunk: Buffer) => (output += chunk));
  server.stderr.on("data", (chunk: Buffer) => (output += chunk));
  await waitForHealth(`http://127.0.0.1:${port}`, server, () => output);
  process.env.E2E_REPO = repo;
  process.env.E2E_DIR = dir;
  fs.writeFileSync(path.join(ROOT, "test-results", "e2e-server.pid"), String(server.pid));

  return async () => {
    const exited = new Promise((resolve) => (server.exitCode === null ? server.once("exit", resolve) : resolve(null)));
    server.kill("SIGTERM");
    const killer = setTimeout(() => server.kill("SIGKILL"), 8000);
    await exited;
    clearTimeout(killer);
    fs.writeFileSync(path.join(ROOT, "test-results", "e2e-server.log"), output);
    await new Promise((resolve) => spawn("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: dir }, stdio: "ignore" }).once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await models.close();
    try {
      agents.cleanup();
    } catch (error) {
      // A shell of the terminal's tmux session may still be writing its history on the way out.
      console.warn("e2e teardown: temp files left behind:", error instanceof Error ? error.message : error);
    }
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
}

import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentTestEnv } from "../fixtures/agent-env";
import { startFakeModelServer } from "../fixtures/fake-model-server";
import { ROOT, startServerProcess } from "./server-process";

/**
 * Starts a fake model server and the real AI-Slave production server on a temp database; the
 * agents it runs are the real CLIs, pointed at the fake server through the server's environment.
 * Tests find the temp git repo's path in E2E_REPO and the server's access token (given to it
 * through AI_SLAVE_TOKEN) in E2E_TOKEN; tests/e2e/fixtures.ts logs pages in with it.
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
  const token = randomBytes(32).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...agents.env,
    HOST: "127.0.0.1",
    AI_SLAVE_TOKEN: token,
    DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`,
    // The terminal's tmux sessions go to a tmux server of this run's own, stopped at the end.
    TMUX_TMPDIR: dir,
    AI_SLAVE_CANCEL_GRACE_MS: "1500",
    // Far off: a task that starts at once proves the API pokes the scheduler in the same process.
    AI_SLAVE_SCAN_INTERVAL_MS: "600000",
  };
  const server = await startServerProcess(env, port);
  process.env.E2E_TOKEN = token;
  process.env.E2E_REPO = repo;
  process.env.E2E_DIR = dir;
  fs.writeFileSync(path.join(ROOT, "test-results", "e2e-server.pid"), String(server.child.pid));

  return async () => {
    await server.stop();
    fs.writeFileSync(path.join(ROOT, "test-results", "e2e-server.log"), server.output());
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

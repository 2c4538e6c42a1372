import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import path from "node:path";
import { MALLOC_ENV, productionServerArgs } from "../../scripts/production-server";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Healthy, and this process is the one listening (not an earlier server still on the port). */
async function waitForHealth(url: string, child: { exitCode: number | null }, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`);
    if (!log().includes("[ai-slave] ready on")) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      // Open without the token for process supervisors: it says {"status":"ok"} and nothing more.
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not become healthy:\n${log()}`);
}

/** Starts the real production server (server.ts after `next build`) and waits until it answers. */
export async function startServerProcess(env: NodeJS.ProcessEnv, port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, productionServerArgs(ROOT), {
    cwd: ROOT,
    env: { ...MALLOC_ENV, ...env, NODE_ENV: "production", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => output);
  return {
    child,
    url,
    output: () => output,
    async stop() {
      const exited = new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(killer);
    },
  };
}

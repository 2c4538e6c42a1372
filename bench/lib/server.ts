/**
 * The production server (`server.ts` over `.next/`) as the benchmarks drive it: a fresh data dir,
 * the bench's stand-in agent as its Claude Code CLI, the test token. Health is polled every 10 ms
 * so a cold start is timed to within that.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "../../tests/fixtures/sshd";
import { TEST_TOKEN } from "../../tests/fixtures/real-server";
import { now } from "./stats";
import { MALLOC_ENV, productionServerArgs } from "../../scripts/production-server";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const STUB = path.join(ROOT, "bench", "fixtures", "stub-claude.mjs");

/** When the stand-in wrote a line: its `sentAt` (ms), also inside JSON-escaped text (an SSE event's data). */
export const sentAtOf = (text: string) => Number(/sentAt\\?":([\d.]+)/.exec(text)?.[1] ?? Number.NaN);

/** A repository with one commit on `main`, for a bench workspace. */
export function benchRepo(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(dir, "README.md"), "# bench\n");
  git("add", ".");
  git("-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "initial");
  return dir;
}

export interface BenchServer {
  url: string;
  dir: string;
  pid: number;
  /** From the spawn to the first `GET /api/health` answering 200. */
  startMs: number;
  api<T = unknown>(pathname: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T; ms: number }>;
  /** VmRSS of the server process, MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

export function assertBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("No production build in .next/: run `npx next build` first.");
}

export function rssMbOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(`${url}/api/health`).then((response) => response.ok).catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startBenchServer(dir: string, env: Record<string, string> = {}): Promise<BenchServer> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = now();
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS),
  // after the server's own (NODE_FLAGS), so that one given again overrides it.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, productionServerArgs(ROOT, nodeArgs), {
    cwd: ROOT,
    env: {
      ...MALLOC_ENV,
      ...process.env,
      AI_SLAVE_CLAUDE_BIN: STUB,
      // The full-size log runs print 200,000 lines, stored at about 600 bytes each: past the
      // default cap of a run's log (50 MB), where the rest would not be stored. The figures
      // measure the pipeline, not the cap (output-flood.test.ts tests the cap).
      AI_SLAVE_LOG_CAP_BYTES: String(1024 ** 3),
      ...env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`,
      AI_SLAVE_TASKS_DIR: path.join(dir, "tasks"),
      AI_SLAVE_TOKEN: TEST_TOKEN,
      TMUX_TMPDIR: dir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output = (output + chunk).slice(-20_000)));
  // BENCH_SERVER_LOG: a file the server's whole output is appended to (with --trace-gc in BENCH_SERVER_NODE_ARGS, its collections).
  const logFile = process.env.BENCH_SERVER_LOG;
  if (logFile) for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => fs.appendFileSync(logFile, chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk).slice(-20_000)));
  await waitHealthy(url, child, () => output);
  const startMs = now() - started;
  return {
    url,
    dir,
    pid: child.pid!,
    startMs,
    async api(pathname, init = {}) {
      const request = () =>
        fetch(`${url}${pathname}`, {
          method: init.method ?? "GET",
          headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
      let at = now();
      let response: Response;
      try {
        response = await request();
      } catch (error) {
        // A kept-alive socket the server closed while the bench was busy elsewhere (its idle
        // timeout, 65 s since 2026-12-02; 5 s before): a GET is sent again on a new one, and
        // timed from there.
        if ((init.method ?? "GET") !== "GET") throw error;
        at = now();
        response = await request();
      }
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as never, ms: now() - at };
    },
    rssMb: () => rssMbOf(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      // Its tmux server (TMUX_TMPDIR is the data dir), if a run started one.
      spawn("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: dir }, stdio: "ignore" }).on("error", () => undefined);
    },
  };
}

/** The raw baseline of a cold start: a bare Node HTTP server, spawned and polled the same way. */
export async function bareNodeStartMs(): Promise<number> {
  const port = await freePort();
  const started = now();
  const child = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1")`], { stdio: "ignore" });
  try {
    await waitHealthy(`http://127.0.0.1:${port}`, child, () => "");
    return now() - started;
  } finally {
    child.kill("SIGKILL");
  }
}

export function authHeaders(): Record<string, string> {
  return { authorization: `Bearer ${TEST_TOKEN}` };
}

/**
 * Figures of one production server over a working day, in order: its RSS after start; after
 * `completedTasks` tasks ran to DONE (the stand-in agent, one line each); while and after
 * `sseClients` SSE clients followed one run of `followLines` lines; then `pacedRuns` runs at
 * 100 lines/s each, every line timed from the agent's write to an SSE client, with the server's
 * event-loop lag (GET /api/health `process.eventLoopDelayMs`) over the same window.
 *
 * Baselines, in the same run: the stand-in's lines read straight off its pipe at the same pace,
 * and the event-loop lag of a bare Node process measured over the same window.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { SseReader } from "../tests/integration/logs/sse-client";
import type { Figure } from "./lib/results";
import { authHeaders, benchRepo, sentAtOf, startBenchServer, STUB, type BenchServer } from "./lib/server";
import { median, now, percentile } from "./lib/stats";

export interface MemorySizes {
  completedTasks: number;
  sseClients: number;
  followLines: number;
  pacedRuns: number;
  pacedSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


async function counts(server: BenchServer, workspaceId: number): Promise<Record<string, number>> {
  const { body } = await server.api<{ counts: Record<string, number> }>(`/api/tasks/counts?workspaceId=${workspaceId}`);
  return body.counts;
}

/** Waits until no task of the workspace is queued or running; throws if any failed. */
async function waitAllFinished(server: BenchServer, workspaceId: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await counts(server, workspaceId);
    if ((c.TODO ?? 0) === 0 && (c.RUNNING ?? 0) === 0) {
      if ((c.FAILED ?? 0) > 0) throw new Error(`${c.FAILED} bench task(s) FAILED: is ${STUB} executable?`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`tasks not finished after ${timeoutMs / 1000} s: ${JSON.stringify(c)}`);
    await sleep(500);
  }
}

const post = async (server: BenchServer, workspaceId: number, prompt: string) =>
  (await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { prompt, workspaceId, backend: "claude_code" } })).body.id;

/**
 * An SSE client of /api/tasks/:id/logs/stream calling `onLine` with each log event's data; `close`
 * leaves. It reconnects as EventSource does: the server drops a client that falls too far behind
 * (server/events/sse.ts), which comes back with Last-Event-ID and catches up from the database.
 */
async function follow(server: BenchServer, taskId: number, onLine: (data: string) => void) {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let reconnects = 0;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const headers = { ...authHeaders(), ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }) };
      const response = await fetch(`${server.url}/api/tasks/${taskId}/logs/stream`, { headers, signal: abort.signal });
      const reader = new SseReader(response.body, (message) => {
        if (message.event === "log" && message.data.includes('"line":"')) onLine(message.data);
      }, { keep: false });
      await reader.done.catch(() => undefined);
      lastEventId = reader.lastEventId ?? lastEventId;
      if (abort.signal.aborted) return;
      reconnects += 1;
      await sleep(100);
    }
  })().catch(() => undefined);
  return { close: async () => { abort.abort(); await loop; }, reconnects: () => reconnects };
}

/** Event-loop lag of a bare Node process (same monitor, 10 ms resolution, the period taken off as the server does) until `stop` is called. */
function bareLoopLag() {
  const child = spawn(process.execPath, ["-e", `const h=require("node:perf_hooks").monitorEventLoopDelay({resolution:10});h.enable();setInterval(()=>{},1000);process.stdin.on("end",()=>{process.stdout.write(String(Math.max(0,h.percentile(99)/1e6-10)));process.exit(0)});process.stdin.resume()`], { stdio: ["pipe", "pipe", "ignore"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk));
  return { stop: () => new Promise<number>((resolve) => { child.on("exit", () => resolve(Number(out))); child.stdin.end(); }) };
}

/** The stand-in run by hand at `rate` lines/s: p99 of write-to-read latency off its pipe. */
function pipeLatencyP99(lines: number, rate: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STUB, String(lines), String(rate)], { stdio: ["ignore", "pipe", "ignore"] });
    const latencies: number[] = [];
    let rest = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const at = now();
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) latencies.push(at - sentAtOf(part));
    });
    child.on("error", reject);
    child.on("exit", () => resolve(percentile(latencies.filter(Number.isFinite), 99)));
  });
}

async function healthLag(server: BenchServer): Promise<{ p99: number; max: number }> {
  const { body } = await server.api<{ process: { eventLoopDelayMs: { p99: number; max: number } } }>("/api/health");
  return body.process.eventLoopDelayMs;
}

const EARLY_MS = 3_000;
const SETTLED_MS = 20_000;

/**
 * RSS soon after a load ends and once the server has been quiet a while: V8 and the idle
 * collection (server/idle-gc.ts) give garbage back within seconds, not at once, so a reading at
 * 3 s counts memory that is no longer in use. Both are reported; the series says when it fell.
 */
async function earlyAndSettled(server: BenchServer): Promise<{ early: number; settled: number; series: string }> {
  const readings: string[] = [];
  let early = Number.NaN;
  let rss = Number.NaN;
  for (let at = 1_000; at <= SETTLED_MS; at += 1_000) {
    await sleep(1_000);
    rss = server.rssMb();
    if (at === EARLY_MS) early = rss;
    if (at % 5_000 === 0 || at === EARLY_MS) readings.push(`${rss.toFixed(0)} MB at ${at / 1000} s`);
  }
  return { early, settled: rss, series: readings.join(", ") };
}

/** Pushes each figure into `figures` as soon as it is measured, so a later failure keeps the earlier ones. */
export async function memoryAndLogs(root: string, sizes: MemorySizes, figures: Figure[]): Promise<void> {
  const server = await startBenchServer(path.join(root, "memory"), { AI_SLAVE_MAX_CONCURRENCY: String(Math.max(8, sizes.pacedRuns + 4)) });
  try {
    const repo = benchRepo(path.join(root, "memory-repo"));
    const { body: workspace } = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: "bench-memory", path: repo, concurrencyLimit: 8 } });
    await sleep(3000);
    const atStart = server.rssMb();

    // 1. Completed tasks, posted at once and run by the scheduler within the workspace's limit.
    for (let index = 0; index < sizes.completedTasks; index += 1) await post(server, workspace.id, "LINES:1");
    await waitAllFinished(server, workspace.id, 60 * 60_000);
    const tasksRss = await earlyAndSettled(server);
    const afterTasks = tasksRss.settled;
    const tasksFigure = `RSS after ${sizes.completedTasks.toLocaleString("en-US")} completed tasks`;
    figures.push(
      { figure: "RSS after start (memory server)", target: "< 180 MB", unit: "MB", measured: atStart, limit: { value: 180, better: "lower" }, note: "VmRSS 3 s after health ok and one workspace created, the server the memory figures below follow." },
      { figure: `${tasksFigure}, ${EARLY_MS / 1000} s after the last`, target: "–", unit: "MB", measured: tasksRss.early, baseline: atStart, note: `every task DONE (the stand-in printing one line, each in its own worktree and tmux session); garbage not yet given back counts here. Baseline: RSS after start.` },
      { figure: `${tasksFigure}, ${SETTLED_MS / 1000} s after the last`, target: "within 10% of after start", unit: "MB", measured: afterTasks, baseline: atStart, limit: { value: 1.1, better: "lower", of: "ratio" }, note: `the same server once quiet: ${tasksRss.series}. Baseline: RSS after start.` },
    );

    // 2. SSE clients following one run; RSS sampled while they read, then after they leave.
    const taskId = await post(server, workspace.id, `LINES:${sizes.followLines}`);
    const expected = sizes.followLines + 2;
    const received = new Array<number>(sizes.sseClients).fill(0);
    let peak = server.rssMb();
    const sampler = setInterval(() => (peak = Math.max(peak, server.rssMb())), 250);
    const clients = await Promise.all(received.map((_, index) => follow(server, taskId, () => (received[index]! += 1))));
    const deadline = Date.now() + 30 * 60_000;
    while (received.some((count) => count < expected) && Date.now() < deadline) await sleep(250);
    clearInterval(sampler);
    const withClients = server.rssMb();
    const complete = received.filter((count) => count >= expected).length;
    const reconnected = clients.filter((client) => client.reconnects() > 0).length;
    await Promise.all(clients.map((client) => client.close()));
    await waitAllFinished(server, workspace.id, 5 * 60_000);
    const leftRss = await earlyAndSettled(server);
    const afterLeave = leftRss.settled;
    figures.push(
      { figure: `RSS while ${sizes.sseClients} SSE clients followed a ${sizes.followLines.toLocaleString("en-US")}-line run (peak)`, target: "–", unit: "MB", measured: peak, baseline: afterTasks, note: `sampled every 250 ms; ${withClients.toFixed(0)} MB when the last line arrived; ${complete} of ${sizes.sseClients} clients received all ${expected} lines (${reconnected} of them were dropped as too slow at least once and came back with Last-Event-ID). Baseline: RSS before the clients came.` },
      { figure: `RSS after the SSE clients left, ${EARLY_MS / 1000} s after`, target: "–", unit: "MB", measured: leftRss.early, baseline: atStart, note: `${leftRss.early.toFixed(0)} MB against ${afterTasks.toFixed(0)} MB before they came (ratio ${(leftRss.early / afterTasks).toFixed(2)}). Baseline: RSS after start.` },
      { figure: `RSS after the SSE clients left, ${SETTLED_MS / 1000} s after`, target: "within 10% of after start", unit: "MB", measured: afterLeave, baseline: atStart, limit: { value: 1.1, better: "lower", of: "ratio" }, note: `the same server once quiet: ${leftRss.series}; ${afterLeave.toFixed(0)} MB against ${afterTasks.toFixed(0)} MB before the clients came (ratio ${(afterLeave / afterTasks).toFixed(2)}). Baseline: RSS after start.` },
    );
    if (complete < sizes.sseClients) throw new Error(`only ${complete} of ${sizes.sseClients} SSE clients received the whole run`);

    // 3. Paced runs: each line's latency from the agent's write to an SSE client, all at once.
    const patched = await server.api(`/api/workspaces/${workspace.id}`, { method: "PATCH", body: { concurrencyLimit: Math.min(64, Math.max(2, sizes.pacedRuns)) } });
    if (patched.status !== 200) throw new Error(`PATCH concurrencyLimit: ${patched.status} ${JSON.stringify(patched.body)}`);
    const lines = 100 * sizes.pacedSeconds;
    const latencies: number[] = [];
    const firstSeen = new Set<number>();
    const pacedIds: number[] = [];
    const followers: Awaited<ReturnType<typeof follow>>[] = [];
    let receivedLines = 0;
    for (let index = 0; index < sizes.pacedRuns; index += 1) {
      const id = await post(server, workspace.id, `LINES:${lines} RATE:100`);
      pacedIds.push(id);
      followers.push(await follow(server, id, (data) => {
        latencies.push(now() - sentAtOf(data));
        firstSeen.add(id);
        receivedLines += 1;
      }));
    }
    // The lag window opens once every run prints (dispatching fifty is not the steady state).
    const printing = Date.now() + 10 * 60_000;
    while (firstSeen.size < sizes.pacedRuns && Date.now() < printing) await sleep(100);
    await healthLag(server);
    const bare = bareLoopLag();
    const byHand = pipeLatencyP99(lines, 100);
    const fromIndex = latencies.length;
    await waitAllFinished(server, workspace.id, 30 * 60_000);
    const lag = await healthLag(server);
    const bareP99 = await bare.stop();
    const rawP99 = await byHand;
    await Promise.all(followers.map((client) => client.close()));
    const steady = latencies.slice(fromIndex).filter(Number.isFinite);
    figures.push(
      { figure: `log pipeline, ${sizes.pacedRuns} runs at 100 lines/s: line written to SSE client, p99`, target: "p99 < 50 ms", unit: "ms", measured: percentile(steady, 99), baseline: rawP99, limit: { value: 50, better: "lower" }, note: `${steady.length} lines timed once every run was printing (of ${receivedLines} received; all lines p99 ${percentile(latencies, 99).toFixed(0)} ms), p50 ${median(steady).toFixed(1)} ms; each run ${lines} lines. Baseline: p99 of the same stand-in's lines read straight off its pipe at 100 lines/s, in the same window.` },
      { figure: `event-loop lag p99 during the ${sizes.pacedRuns} paced runs`, target: "p99 < 20 ms", unit: "ms", measured: lag.p99, baseline: bareP99, limit: { value: 20, better: "lower" }, note: `GET /api/health process.eventLoopDelayMs over the window, max ${lag.max} ms (how late monitorEventLoopDelay's 10 ms timer fired: its period is taken off). Baseline: a bare Node process's p99 with the same monitor over the same window.` },
    );
  } finally {
    await server.stop();
  }
}

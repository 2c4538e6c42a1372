/**
 * Log pipeline benchmark: agent stdout -> LocalTransport.spawn -> Claude parser -> RunLogWriter
 * (temp SQLite) -> bus -> SSE route handler -> a client parsing the Response body.
 *
 *   npx tsx bench/log-pipeline.ts [--lines 200000] [--runs 50] [--paced-rate 100] [--paced-seconds 4]
 *
 * Prints, for 1 run and for --runs runs at once: lines/s through the pipeline (stub printing as
 * fast as it can) next to the raw baseline (the same stub's stdout read straight from the pipe),
 * and the end-to-end latency of a line (p50/p99) both under that saturation and with the stubs
 * paced at --paced-rate lines/s each, which is what an agent really does. Not a test.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

// Route handlers and server modules import "server-only", which throws outside Next's server bundles.
const emptyModule = "data:text/javascript,export{}";
register(
  `data:text/javascript,${encodeURIComponent(
    `export async function resolve(specifier, context, next) { return specifier === "server-only" ? { url: ${JSON.stringify(emptyModule)}, shortCircuit: true } : next(specifier, context); }`,
  )}`,
  import.meta.url,
);

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "200000" },
    runs: { type: "string", default: "50" },
    "paced-rate": { type: "string", default: "100" },
    "paced-seconds": { type: "string", default: "4" },
  },
});
const ROOT = resolve(import.meta.dirname, "..");
const STUB = join(ROOT, "bench", "fixtures", "stub-claude.mjs");
const now = () => performance.timeOrigin + performance.now();

const dir = mkdtempSync(join(tmpdir(), "ai-slave-bench-"));
process.env.DATABASE_URL = `file:${join(dir, "bench.sqlite")}`;
process.env.AI_SLAVE_ROOT = ROOT;

const { migrateDatabase } = await import("@/server/db/migrate");
const { db, disconnectDb } = await import("@/server/db/client");
const { services } = await import("@/server/services");
const { RunLogWriter } = await import("@/server/events/log-writer");
const { LocalTransport } = await import("@/server/exec/local");
const { getAdapter } = await import("@/server/agents/registry");
const { GET: streamRoute } = await import("@/app/api/runs/[id]/logs/stream/route");
const { SseReader } = await import("../tests/integration/logs/sse-client");
type LogEvent = import("@/lib/log-events").LogEvent;

migrateDatabase(join(dir, "bench.sqlite"), join(ROOT, "prisma", "migrations"));
const workspace = await db().workspace.create({ data: { name: "bench", type: "local", path: dir, baseBranch: "main" } });
const task = await db().task.create({
  data: { workspaceId: workspace.id, number: 1, title: "bench", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "RUNNING" },
});
const transport = new LocalTransport();

interface RunFigures {
  lines: number;
  /** From the stub writing a line to the SSE client parsing it. */
  latencies: number[];
  /** The server's part: from LocalTransport handing the line over to the SSE client parsing it. */
  serverLatencies: number[];
  /** When the last line arrived. */
  lastAt: number;
}

/** One run end to end: an SSE client subscribed first, then the stub, then the run's end. */
async function pipelineRun(lines: number, rate: number, startAt: number): Promise<RunFigures> {
  const run = await db().run.create({ data: { taskId: task.id, kind: "initial", backend: "claude_code", model: "sonnet", prompt: "p" } });
  const latencies: number[] = [];
  const serverLatencies: number[] = [];
  // Paced runs only (throughput runs skip the bookkeeping): when each line left the pipe.
  const readAt = new Map<string, number>();
  const lineId = (line: string) => /"uuid":"(u-\d+)"/.exec(line)?.[1];
  let received = 0;
  let lastAt = 0;
  const response = await streamRoute(new Request(`http://localhost/api/runs/${run.id}/logs/stream`), { params: Promise.resolve({ id: String(run.id) }) });
  const client = new SseReader(
    response.body,
    (message) => {
      if (message.event !== "log") return;
      const event = JSON.parse(message.data) as { line?: string };
      if (event.line === undefined) return;
      received += 1;
      lastAt = now();
      const at = now();
      const sentAt = /"sentAt":([\d.]+)/.exec(event.line)?.[1];
      if (sentAt) latencies.push(at - Number(sentAt));
      const read = rate > 0 ? readAt.get(lineId(event.line) ?? "") : undefined;
      if (read !== undefined) serverLatencies.push(at - read);
    },
    { keep: false },
  );
  const writer = new RunLogWriter(run.id, services().bus, 1024 * 1024 * 1024);
  const parser = getAdapter("claude_code").createParser();
  const withFallback = (events: LogEvent[], stream: "stdout" | "stderr", line: string): LogEvent[] => (events.length > 0 ? events : [{ kind: "line", stream, line }]);
  const child = transport.spawn([process.execPath, STUB, String(lines), String(rate), String(startAt)], {
    cwd: dir,
    env: process.env as Record<string, string>,
    onStdoutLine: (line) => {
      if (rate > 0) readAt.set(lineId(line) ?? "", now());
      writer.append(withFallback(parser.pushStdout(line), "stdout", line), line);
    },
    onStderrLine: (line) => writer.append(withFallback(parser.pushStderr(line), "stderr", line), line),
  });
  const { exitCode } = await child.exited;
  await writer.close();
  await db().run.update({ where: { id: run.id }, data: { status: exitCode === 0 ? "DONE" : "FAILED", endedAt: new Date() } });
  services().bus.publishRunEnd({ runId: run.id, status: exitCode === 0 ? "DONE" : "FAILED", errorClass: null });
  await client.done;
  return { lines: received, latencies, serverLatencies, lastAt };
}

/** The baseline: the stub's stdout counted straight off the pipe. */
function rawRun(lines: number, startAt: number): Promise<{ lines: number; lastAt: number }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [STUB, String(lines), "0", String(startAt)], { stdio: ["ignore", "pipe", "inherit"] });
    let count = 0;
    let lastAt = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count += 1;
      lastAt = now();
    });
    child.on("error", reject);
    child.on("close", () => resolveRun({ lines: count, lastAt }));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Starts `runs` copies of `work` at once. The stubs hold their output until a common start time,
 * after every process started, and the clock runs from then to the last line received.
 */
async function measure<T extends { lines: number; lastAt: number }>(runs: number, work: (startAt: number) => Promise<T>): Promise<{ results: T[]; seconds: number; lines: number }> {
  const startAt = now() + 500 + 80 * runs;
  const results = await Promise.all(Array.from({ length: runs }, () => work(startAt)));
  const lastAt = Math.max(...results.map((result) => result.lastAt));
  return { results, seconds: (lastAt - startAt) / 1000, lines: results.reduce((sum, result) => sum + result.lines, 0) };
}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const latencyText = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(sorted, 50), 1)} ms, p99 ${fmt(percentile(sorted, 99), 1)} ms, max ${fmt(sorted.at(-1) ?? NaN, 1)} ms`;
};

async function scenario(runs: number, totalLines: number): Promise<void> {
  const perRun = Math.ceil(totalLines / runs);
  const raw = await measure(runs, (startAt) => rawRun(perRun, startAt));
  const rawRate = raw.lines / raw.seconds;
  const piped = await measure(runs, (startAt) => pipelineRun(perRun, 0, startAt));
  const delivered = piped.lines;
  const pipeRate = delivered / piped.seconds;
  const pacedRate = Number(args["paced-rate"]) * (runs === 1 ? 10 : 1);
  const pacedLines = Math.round(pacedRate * Number(args["paced-seconds"]));
  const paced = await measure(runs, (startAt) => pipelineRun(pacedLines, pacedRate, startAt));

  console.log(`\n${runs} run(s) at once, ${fmt(perRun)} lines each (+2 init/result lines)`);
  console.log(`  raw baseline (stub stdout pipe):   ${fmt(rawRate)} lines/s`);
  console.log(`  pipeline to SSE client:            ${fmt(pipeRate)} lines/s (${fmt(delivered)} lines in ${fmt(piped.seconds, 2)} s), ${fmt((pipeRate / rawRate) * 100, 1)}% of baseline`);
  console.log(`  latency, saturated:                ${latencyText(piped.results.flatMap((run) => run.latencies))}`);
  console.log(`  latency, paced ${fmt(pacedRate)} lines/s per run (${fmt(pacedRate * runs)} lines/s total):`);
  console.log(`    stub write -> SSE client:        ${latencyText(paced.results.flatMap((run) => run.latencies))}`);
  console.log(`    pipe read -> SSE client (server): ${latencyText(paced.results.flatMap((run) => run.serverLatencies))}`);
}

try {
  const lines = Number(args.lines);
  console.log(`Log pipeline benchmark: node ${process.version}, stub ${STUB}`);
  await scenario(1, lines);
  await scenario(Number(args.runs), lines);
} finally {
  await disconnectDb();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The figures measured against the production server over HTTP, each next to its raw baseline
 * taken in the same run: cold start, RSS, dispatch overhead, the log pipeline of one run, and the
 * API at scale. bench/run.ts calls these and prints the table.
 */
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { SseReader } from "../tests/integration/logs/sse-client";
import { seedTasks } from "../tests/fixtures/seed-tasks";
import type { Figure } from "./lib/results";
import { authHeaders, bareNodeStartMs, benchRepo, sentAtOf, startBenchServer, STUB, type BenchServer } from "./lib/server";
import { median, now, percentile, repeat } from "./lib/stats";

export interface Sizes {
  repeats: number;
  logLines: number;
  dispatches: number;
  tasks: number;
  logEvents: number;
  requests: number;
}


/** Cold start (spawn to health ok) and RSS after start, next to a bare Node HTTP server's start. */
export async function coldStart(root: string, sizes: Sizes): Promise<Figure[]> {
  const starts: number[] = [];
  const bare: number[] = [];
  const rss: number[] = [];
  await repeat(sizes.repeats, async (index) => {
    bare.push(await bareNodeStartMs());
    const server = await startBenchServer(path.join(root, `cold-${index}`));
    starts.push(server.startMs);
    // Let start-up work (migrations, reconcile, the first scan) settle before reading RSS.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    rss.push(server.rssMb());
    await server.stop();
  });
  return [
    { figure: "cold start (spawn to /api/health ok)", target: "< 2 s", unit: "ms", measured: median(starts), baseline: median(bare), limit: { value: 2000, better: "lower" }, note: `each of ${sizes.repeats} starts on a fresh data dir: ${starts.map((ms) => ms.toFixed(0)).join(", ")} ms; baseline: a bare \`node -e\` HTTP server.` },
    { figure: "RSS after start", target: "< 180 MB", unit: "MB", measured: median(rss), limit: { value: 180, better: "lower" }, note: `VmRSS 3 s after health ok: ${rss.map((mb) => mb.toFixed(0)).join(", ")} MB.` },
  ];
}

export async function waitFinished(server: BenchServer, taskId: number, timeoutMs = 300_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await server.api<{ status: string }>(`/api/tasks/${taskId}`);
    if (body.status === "DONE" || body.status === "FAILED") return body.status;
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}


/** The stand-in agent run by hand: when its first byte arrived, and how fast its pipe delivered lines. */
export function stubByHand(lines: number, cwd: string): Promise<{ firstByteAt: number; linesPerS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STUB, "-p", "--output-format", "stream-json"], { cwd, stdio: ["pipe", "pipe", "ignore"] });
    let firstByteAt = 0;
    let startAt = Number.NaN;
    let count = 0;
    let head = "";
    let lastAt = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      const at = now();
      if (!firstByteAt) firstByteAt = at;
      if (Number.isNaN(startAt)) {
        head += chunk.toString("utf8", 0, Math.min(chunk.length, 4096));
        const first = head.split("\n")[0];
        if (head.includes("\n") && first) startAt = sentAtOf(first);
      }
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) count += 1;
      lastAt = at;
    });
    child.on("error", reject);
    child.on("exit", () => resolve({ firstByteAt, linesPerS: count / ((lastAt - startAt) / 1000) }));
    child.stdin.end(`LINES:${lines}`);
  });
}

/**
 * Dispatch overhead: POST /api/tasks to the stand-in agent's first byte (its first line carries
 * the time it was written), against `git worktree add` plus spawning the same stand-in by hand
 * on the same repository. Then one run printing as fast as it can, read by an SSE client of
 * GET /api/tasks/:id/logs/stream, against the same stand-in's raw pipe.
 */
export async function dispatchAndLogs(root: string, sizes: Sizes): Promise<{ figures: Figure[]; server: BenchServer; workspaceId: number; runTaskId: number }> {
  // The agents at the niceness of the baseline's stand-in (0): these figures are the server's
  // overhead. At the default (10, its session's autogroup too) an agent that wants the CPU gets
  // less of it while the server and the follower want it too, as that setting means it to.
  const server = await startBenchServer(path.join(root, "server"), { AI_SLAVE_AGENT_NICE: "0" });
  const repo = benchRepo(path.join(root, "repo"));
  const { body: workspace } = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: "bench", path: repo } });

  const dispatch: number[] = [];
  const byHand: number[] = [];
  for (let index = 0; index < sizes.dispatches; index += 1) {
    const at = now();
    execFileSync("git", ["worktree", "add", "-q", "-b", `by-hand-${index}`, path.join(root, `by-hand-${index}`)], { cwd: repo, stdio: "pipe" });
    const { firstByteAt } = await stubByHand(1, path.join(root, `by-hand-${index}`));
    byHand.push(firstByteAt - at);

    const posted = now();
    const { body: task } = await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { prompt: "LINES:1", workspaceId: workspace.id, backend: "claude_code" } });
    const status = await waitFinished(server, task.id);
    if (status !== "DONE") throw new Error(`dispatch task ${task.id} ended ${status}: is ${STUB} executable?`);
    const { body: runs } = await server.api<{ items: { id: number }[] }>(`/api/tasks/${task.id}/runs`);
    const { body: page } = await server.api<{ items: { line?: string }[] }>(`/api/runs/${runs.items[0]!.id}/logs?limit=5`);
    const first = page.items.find((event) => event.line)?.line;
    dispatch.push(first ? sentAtOf(first) - posted : Number.NaN);
  }

  const rawRates: number[] = [];
  const pipelineRates: number[] = [];
  let runTaskId = 0;
  for (let index = 0; index < sizes.repeats; index += 1) {
    rawRates.push((await stubByHand(sizes.logLines, repo)).linesPerS);
    const result = await logRun(server, workspace.id, sizes.logLines);
    pipelineRates.push(result.linesPerS);
    runTaskId = result.taskId;
  }
  const figures: Figure[] = [
    {
      figure: "dispatch: POST /api/tasks to the agent's first byte",
      target: "overhead median < 50 ms",
      unit: "ms",
      measured: median(dispatch),
      baseline: median(byHand),
      limit: { value: 50, better: "lower", of: "difference" },
      note: `${sizes.dispatches} tasks one after another; p99 ${percentile(dispatch, 99).toFixed(0)} ms (target: overhead p99 < 200 ms, by hand p99 ${percentile(byHand, 99).toFixed(0)} ms). Baseline: git worktree add + spawning the stand-in by hand to its first byte.`,
    },
    {
      figure: `log pipeline, one run (${sizes.logLines.toLocaleString("en-US")} lines)`,
      target: "≥ 25% of the raw pipe",
      unit: "lines/s",
      measured: median(pipelineRates),
      baseline: median(rawRates),
      limit: { value: 0.25, better: "higher", of: "ratio" },
      note: `stand-in agent -> server (tmux, log file, parser, SQLite) -> SSE client of /api/tasks/:id/logs/stream, from the agent's first line to the last line received; runs: ${pipelineRates.map((rate) => rate.toFixed(0)).join(", ")} lines/s, raw pipe: ${rawRates.map((rate) => rate.toFixed(0)).join(", ")} lines/s.`,
    },
  ];
  return { figures, server, workspaceId: workspace.id, runTaskId };
}

export async function logRun(server: BenchServer, workspaceId: number, lines: number): Promise<{ linesPerS: number; taskId: number }> {
  const { body: task } = await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { prompt: `LINES:${lines}`, workspaceId, backend: "claude_code" } });
  const abort = new AbortController();
  const response = await fetch(`${server.url}/api/tasks/${task.id}/logs/stream`, { headers: authHeaders(), signal: abort.signal });
  let received = 0;
  let startAt = Number.NaN;
  let lastAt = 0;
  const expected = lines + 2;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const reader = new SseReader(
    response.body,
    (message) => {
      if (message.event !== "log") return;
      const lineAt = message.data.indexOf('"line":"');
      // The run's log reached its cap: the rest will never come.
      if (lineAt === -1 && message.data.includes("Log truncated")) finish();
      if (lineAt === -1) return;
      received += 1;
      lastAt = now();
      if (Number.isNaN(startAt)) startAt = sentAtOf(message.data.replaceAll('\\"', '"'));
      if (received >= expected) finish();
    },
    { keep: false },
  );
  const timeout = setTimeout(finish, 600_000);
  await all;
  clearTimeout(timeout);
  abort.abort();
  await reader.done.catch(() => undefined);
  const status = await waitFinished(server, task.id);
  if (status !== "DONE" || received < expected) throw new Error(`log run task ${task.id} ended ${status} with ${received} of ${expected} lines received`);
  return { linesPerS: received / ((lastAt - startAt) / 1000), taskId: task.id };
}

/**
 * The API at scale: `tasks` tasks seeded into the database and `logEvents` stored events in one
 * run; p95 of a page of GET /api/tasks, of a board's data (counts and each column's first page)
 * and of a page from the middle of GET /api/runs/:id/logs.
 */
export async function apiAtScale(server: BenchServer, workspaceId: number, runTaskId: number, sizes: Sizes): Promise<Figure[]> {
  const file = path.join(server.dir, "db.sqlite");
  await seedTasks(file, workspaceId, { TODO: Math.round(sizes.tasks * 0.3), DONE: Math.round(sizes.tasks * 0.6), FAILED: Math.round(sizes.tasks * 0.1) }, "bench");
  const { body: runs } = await server.api<{ items: { id: number }[] }>(`/api/tasks/${runTaskId}/runs`);
  const runId = runs.items[0]!.id;
  const sqlite = new Database(file, { timeout: 10_000 });
  const sample = sqlite.prepare(`SELECT "kind", "data", "ts" FROM "RunLog" WHERE "runId" = ? AND "kind" = 'text' LIMIT 1`).get(runId) as { kind: string; data: string; ts: string } | undefined;
  const { max } = sqlite.prepare(`SELECT MAX("seq") AS max FROM "RunLog" WHERE "runId" = ?`).get(runId) as { max: number };
  const stored = max ?? 0;
  if (sample && stored < sizes.logEvents) {
    const insert = sqlite.prepare(`INSERT INTO "RunLog" ("runId", "seq", "ts", "kind", "data") VALUES (?, ?, ?, ?, ?)`);
    for (let start = stored + 1; start <= sizes.logEvents; start += 50_000) {
      sqlite.transaction(() => {
        for (let seq = start; seq < Math.min(sizes.logEvents + 1, start + 50_000); seq += 1) insert.run(runId, seq, sample.ts, sample.kind, sample.data);
      })();
    }
    sqlite.prepare(`UPDATE "Run" SET "logSeq" = ? WHERE "id" = ?`).run(sizes.logEvents, runId);
  }
  sqlite.close();

  const time = async (work: () => Promise<unknown>) => {
    const at = now();
    await work();
    return now() - at;
  };
  const ok = async (pathname: string) => {
    const { status } = await server.api(pathname);
    if (status !== 200) throw new Error(`${pathname}: ${status}`);
  };
  // What the board asks for its first screen (lib/hooks/use-board-data.ts): one request.
  const board = () => ok(`/api/tasks/board?workspaceId=${workspaceId}&limit=50`);
  // The same data as the board asked for it before GET /api/tasks/board: five requests at once.
  const boardInFive = async () => {
    await Promise.all([
      ok(`/api/tasks/counts?workspaceId=${workspaceId}`),
      ok(`/api/tasks?workspaceId=${workspaceId}&status=TODO&sort=queue&limit=50`),
      ok(`/api/tasks?workspaceId=${workspaceId}&status=RUNNING&sort=started&limit=50`),
      ok(`/api/tasks?workspaceId=${workspaceId}&status=DONE&sort=finished&limit=50`),
      ok(`/api/tasks?workspaceId=${workspaceId}&status=FAILED&sort=finished&limit=50`),
    ]);
  };
  const figures: Figure[] = [];
  const measureRequests = async (work: () => Promise<unknown>) => {
    for (let index = 0; index < 3; index += 1) await work(); // warm-up
    const samples: number[] = [];
    for (let index = 0; index < sizes.requests; index += 1) samples.push(await time(work));
    return samples;
  };
  // The server's floor: an authenticated GET /api/health (the gate, Next's routing, one query).
  const floor = percentile(await measureRequests(() => ok("/api/health")), 95);
  const cases: [string, () => Promise<unknown>, string][] = [
    ["GET /api/tasks (a page of 50)", () => ok(`/api/tasks?workspaceId=${workspaceId}&limit=50`), "p95 < 20 ms"],
    ["a board's data (GET /api/tasks/board: counts + 4 column pages)", board, "p95 < 20 ms"],
    ["the same data in 5 requests at once (counts + 4 column pages, as the board asked before)", boardInFive, "–"],
    [`GET /api/runs/:id/logs (1,000 events from the middle of ${sizes.logEvents.toLocaleString("en-US")})`, () => ok(`/api/runs/${runId}/logs?after=${Math.floor(sizes.logEvents / 2)}&limit=1000`), "p95 < 20 ms"],
  ];
  for (const [name, work, target] of cases) {
    const samples = await measureRequests(work);
    figures.push({
      figure: `API at scale: ${name}`,
      target,
      unit: "ms",
      measured: percentile(samples, 95),
      baseline: floor,
      ...(target === "–" ? {} : { limit: { value: 20, better: "lower" as const } }),
      note: `${sizes.tasks.toLocaleString("en-US")} tasks; ${sizes.requests} requests one after another, p50 ${median(samples).toFixed(1)} ms. Baseline: p95 of an authenticated GET /api/health on the same server (its floor: the gate, Next's routing, one query).`,
    });
  }
  figures.push({ figure: "RSS after the runs and the API load", target: "within 10% of RSS after start", unit: "MB", measured: server.rssMb(), note: "the server that ran the dispatch and log runs and served the API figures, read at the end." });
  return figures;
}

/**
 * `npm run bench:profile`: where the production server's CPU goes while it runs tasks. The server
 * (`server.ts` over `.next/`, Node's --cpu-prof) runs BENCH_PROFILE_TASKS stand-in tasks on
 * BENCH_PROFILE_WORKSPACES workspaces (limit 2 each) while a client polls the board's data, then
 * stops with SIGTERM, which writes the profile. The summary (self time by part of the stack and
 * the heaviest functions) goes to bench/PROFILE.md; the raw .cpuprofile stays in the temp folder
 * named there, for Chrome's DevTools or speedscope.
 *
 * Source maps are off in the production build, so the server's own bundled code shows as
 * `.next/server/chunks/...`; Node's built-ins and the packages keep their names.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { machine } from "./lib/results";
import { assertBuilt, benchRepo, ROOT, startBenchServer, type BenchServer } from "./lib/server";
import { now, percentile } from "./lib/stats";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const count = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const tasks = count("BENCH_PROFILE_TASKS", 60);
const workspaces = count("BENCH_PROFILE_WORKSPACES", 3);

/** Which part of the stack a frame belongs to, by its script's URL and name. */
export function partOf(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "native (V8, libuv, outside JS)";
  if (/^(spawn|_forkChild|ChildProcess)/.test(functionName) || url.includes("child_process")) return "child processes (spawn)";
  // better-sqlite3's statements are native: no script URL, the method's name.
  if (url.includes("better-sqlite3") || (url === "" && /^(prepare|run|all|get|iterate|exec|transaction)$/.test(functionName))) return "SQLite (better-sqlite3)";
  if (url.includes("@prisma") || url.includes("/server/db/generated/") || url.includes("prisma")) return "Prisma";
  if (url.includes("next/dist") || url.includes("/node_modules/next/")) return "Next.js";
  if (url.includes("/react") || url.includes("react-dom")) return "React";
  if (url.includes(".next/server")) return "AI-Slave (bundled routes and server code)";
  if (url.includes("/node_modules/")) return "other packages";
  if (url.startsWith("node:") || url === "") return "Node built-ins";
  return "AI-Slave (server.ts and its imports)";
}

/** Self time in ms per node id, from the samples and their time deltas. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  profile.samples.forEach((id, index) => times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  return times;
}

export function summarize(profile: CpuProfile): { totalMs: number; busyMs: number; parts: [string, number][]; functions: [string, number][] } {
  const self = selfTimes(profile);
  const byPart = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    totalMs += ms;
    const part = partOf(node.callFrame);
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
    if (part === "idle") continue;
    const where = node.callFrame.url ? `${node.callFrame.url.replace(/^.*\/(node_modules|\.next)\//, "$1/")}:${node.callFrame.lineNumber + 1}` : "native";
    const key = `${node.callFrame.functionName || "(anonymous)"} (${where})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const busyMs = totalMs - (byPart.get("idle") ?? 0);
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs, busyMs, parts: sorted(byPart).filter(([part]) => part !== "idle"), functions: sorted(byFunction).slice(0, 25) };
}


/**
 * The production server under Node's --cpu-prof (BENCH_SERVER_NODE_ARGS), in `root`: it writes its
 * profile into `profDir` when it is stopped (SIGTERM).
 */
export async function startProfiledServer(root: string, env: Record<string, string> = {}): Promise<{ server: BenchServer; profDir: string }> {
  const profDir = path.join(root, "cpuprofile");
  const previous = process.env.BENCH_SERVER_NODE_ARGS;
  process.env.BENCH_SERVER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profDir}`;
  try {
    return { server: await startBenchServer(path.join(root, "server"), env), profDir };
  } finally {
    process.env.BENCH_SERVER_NODE_ARGS = previous;
  }
}

/** The profile a server of startProfiledServer wrote once stopped, and its file's path. */
export function readProfile(profDir: string): { file: string; profile: CpuProfile } {
  const name = fs.readdirSync(profDir).find((entry) => entry.endsWith(".cpuprofile"));
  if (!name) throw new Error(`no .cpuprofile in ${profDir}: did the server exit on SIGTERM?`);
  const file = path.join(profDir, name);
  return { file, profile: JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile };
}

async function main(): Promise<void> {
  assertBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-profile-"));
  const { server, profDir } = await startProfiledServer(root);
  const started = now();
  const ids: number[] = [];
  for (let index = 0; index < workspaces; index += 1) {
    const { body } = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: `profile-${index}`, path: benchRepo(path.join(root, `repo-${index}`)), concurrencyLimit: 2 } });
    ids.push(body.id);
  }
  const pending = new Set<number>();
  for (let index = 0; index < tasks; index += 1) {
    const { body } = await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { prompt: "LINES:200", workspaceId: ids[index % ids.length], backend: "claude_code" } });
    pending.add(body.id);
  }
  const latencies: number[] = [];
  const deadline = Date.now() + 30 * 60_000;
  while (pending.size > 0 && Date.now() < deadline) {
    const [counts, page] = await Promise.all([server.api("/api/tasks/counts"), server.api<{ items: { id: number; status: string }[] }>(`/api/tasks?limit=200`)]);
    latencies.push(counts.ms, page.ms);
    for (const task of page.body.items) if (task.status === "DONE" || task.status === "FAILED") pending.delete(task.id);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const wallS = (now() - started) / 1000;
  await server.stop();
  const { file, profile } = readProfile(profDir);
  const summary = summarize(profile);
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1)}%`;
  const m = machine();
  const lines = [
    "# Where the server's CPU goes",
    "",
    `Written by \`npm run bench:profile\` on ${new Date().toISOString()}: the production server under Node's --cpu-prof ran ${tasks} stand-in tasks (200 lines each) on ${workspaces} workspaces (limit 2 each) while a client polled the board's data every 250 ms; ${pending.size === 0 ? "every task ended" : `${pending.size} tasks had not ended at the deadline`}, ${wallS.toFixed(0)} s in all.`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average at the end ${m.loadAverage.map((value) => value.toFixed(2)).join(" / ")}.${process.env.BENCH_CONTEXT ? ` ${process.env.BENCH_CONTEXT}` : ""}`,
    "",
    `The server's main thread was busy ${(summary.busyMs / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s profiled (${((100 * summary.busyMs) / summary.totalMs).toFixed(0)}%). Board data requests during the run: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms (${latencies.length} requests).`,
    "",
    "## Self time by part of the stack (share of the busy time)",
    "",
    "| part | self time | share |",
    "|---|---|---|",
    ...summary.parts.map(([part, ms]) => `| ${part} | ${(ms / 1000).toFixed(2)} s | ${pct(ms)} |`),
    "",
    "## The 25 heaviest functions by self time",
    "",
    "| function (script:line) | self time | share |",
    "|---|---|---|",
    ...summary.functions.map(([name, ms]) => `| \`${name.replace(/\|/g, "\\|")}\` | ${(ms / 1000).toFixed(2)} s | ${pct(ms)} |`),
    "",
    `Raw profile: ${file} (removed with the temp folder; open it in Chrome's DevTools or speedscope).`,
    "",
  ];
  fs.writeFileSync(path.join(ROOT, "bench", "PROFILE.md"), lines.join("\n"));
  console.log(lines.join("\n"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  void main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

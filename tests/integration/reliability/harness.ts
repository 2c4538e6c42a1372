/**
 * What the reliability tests share: the real production server (`server.ts` over `.next/`) with
 * the fast stand-in agent, figures (the server's RSS; percentiles come from bench/lib/stats.ts) and a report line per figure.
 * Sizes come from the environment: CI runs them reduced, `scripts/reliability.sh` at full size.
 */
import fs from "node:fs";
import path from "node:path";
import { startRealServer, type RealServer } from "../../fixtures/real-server";
import { PROJECT_ROOT } from "../helpers/test-env";

export { until } from "../helpers/until";

/** The stand-in agent: Claude Code's stream-json, FILE:/SLEEP:/SPAM:/DRIP: from the prompt. */
export const STUB_AGENT = path.join(PROJECT_ROOT, "tests", "fixtures", "stub-claude.mjs");

export function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The real server with the stand-in agent as its Claude Code CLI; `trace` is where each start and end is noted. */
export async function startStubServer(dir: string, env: Record<string, string> = {}): Promise<RealServer & { trace: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const trace = path.join(dir, "agent-trace.log");
  const server = await startRealServer({ dir, env: { AI_SLAVE_CLAUDE_BIN: STUB_AGENT, STUB_TRACE: trace, STUB_SLEEP_MS: "50", ...env } });
  return Object.assign(server, { trace });
}

export interface TraceLine {
  what: "start" | "end";
  taskId: number;
  runId: number;
  at: number;
}

/** The stand-in agents' own account of their starts and ends. */
export function readTrace(file: string): TraceLine[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => {
    const [what, taskId, runId, at] = line.split(" ");
    return { what: what as TraceLine["what"], taskId: Number(taskId), runId: Number(runId), at: Number(at) };
  });
}

/** The most agents alive at one instant among `taskIds`, from their start and end lines. */
export function peakOverlap(trace: TraceLine[], taskIds: Set<number>): number {
  // An end sorts before a start at the same millisecond: one agent ended, the next began.
  const points = trace.filter((line) => taskIds.has(line.taskId)).sort((a, b) => a.at - b.at || (a.what === "end" ? -1 : 1));
  let alive = 0;
  let peak = 0;
  for (const point of points) {
    alive += point.what === "start" ? 1 : -1;
    peak = Math.max(peak, alive);
  }
  return peak;
}

export async function timed<T>(step: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await step();
  return { ms: performance.now() - started, value };
}

/** Resident memory of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round(Number(match[1]) / 102.4) / 10;
}

/** Prints one scenario's figures, and appends them to RELIABILITY_REPORT when set (scripts/reliability.sh). */
export function report(scenario: string, figures: Record<string, string | number>): void {
  const line = `[reliability] ${scenario}: ${Object.entries(figures).map(([key, value]) => `${key}=${value}`).join(", ")}`;
  console.log(line);
  if (process.env.RELIABILITY_REPORT) fs.appendFileSync(process.env.RELIABILITY_REPORT, `${line}\n`);
}

export async function createdId(server: RealServer, pathname: string, body: unknown): Promise<number> {
  const response = await server.api<{ id: number }>(pathname, { method: "POST", body });
  if (response.status !== 201) throw new Error(`POST ${pathname}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

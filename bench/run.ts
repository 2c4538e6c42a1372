/**
 * `npm run bench`: every benchmark of bench/ against the production build (`npx next build`
 * first), each figure a median of several runs next to its raw baseline measured in the same run.
 * Prints one table and writes it, with the machine and the date, to bench/RESULTS.md.
 *
 *   BENCH_QUICK=1 npm run bench     # small sizes, a few minutes
 *   BENCH_REPEATS, BENCH_LOG_LINES, BENCH_DISPATCHES, BENCH_TASKS, BENCH_LOG_EVENTS, BENCH_REQUESTS,
 *   BENCH_REPO_FILES, BENCH_REPO_COMMITS, BENCH_QUEUED, BENCH_WAITING, BENCH_PASSES,
 *   BENCH_COMPLETED_TASKS, BENCH_SSE_CLIENTS, BENCH_FOLLOW_LINES, BENCH_PACED_RUNS, BENCH_PACED_SECONDS,
 *   BENCH_SSH_REPEATS, BENCH_BOARD_TASKS; BENCH_CONTEXT: a sentence on what else loaded the machine, written to RESULTS.md
 *
 * The in-process log benchmark (bench/log-pipeline.ts: 50 paced runs, latency) runs on its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { machine, renderTable, writeResults, type Figure } from "./lib/results";
import { assertBuilt, ROOT } from "./lib/server";
import { now } from "./lib/stats";
import { worktreeCreation, type WorktreeSizes } from "./inprocess-figures";
import { memoryAndLogs, type MemorySizes } from "./memory-figures";
import { schedulerPass, type SchedulerSizes } from "./scheduler-figure";
import { sshDispatch } from "./ssh-figure";
import { apiAtScale, coldStart, dispatchAndLogs, type Sizes } from "./server-figures";
import { boardInBrowser } from "./browser-figure";

const quick = process.env.BENCH_QUICK === "1";
const size = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const sizes: Sizes = {
  repeats: size("BENCH_REPEATS", 5, 3),
  logLines: size("BENCH_LOG_LINES", 200_000, 50_000),
  dispatches: size("BENCH_DISPATCHES", 20, 8),
  tasks: size("BENCH_TASKS", 10_000, 2_000),
  logEvents: size("BENCH_LOG_EVENTS", 1_000_000, 200_000),
  requests: size("BENCH_REQUESTS", 100, 40),
};
const memorySizes: MemorySizes = {
  completedTasks: size("BENCH_COMPLETED_TASKS", 1000, 100),
  sseClients: size("BENCH_SSE_CLIENTS", 50, 10),
  followLines: size("BENCH_FOLLOW_LINES", 200_000, 20_000),
  pacedRuns: size("BENCH_PACED_RUNS", 50, 10),
  pacedSeconds: size("BENCH_PACED_SECONDS", 30, 10),
};
// The repository and the queue keep the sizes in quick mode: generating the repo is cached.
const worktreeSizes: WorktreeSizes = { repeats: sizes.repeats, repoFiles: size("BENCH_REPO_FILES", 10_000, 10_000), repoCommits: size("BENCH_REPO_COMMITS", 1000, 1000) };
const sshRepeats = size("BENCH_SSH_REPEATS", 10, 5);
// The board: 2,000 tasks in both modes (written straight into the database, seconds).
const boardTasks = size("BENCH_BOARD_TASKS", 2000, 2000);
const schedulerSizes: SchedulerSizes = { queued: size("BENCH_QUEUED", 5000, 5000), waiting: size("BENCH_WAITING", 200, 200), passes: size("BENCH_PASSES", 10, 5) };

assertBuilt();
const started = now();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-bench-"));
const figures: Figure[] = [];
const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  console.log(`bench: ${name}...`);
  const at = now();
  const result = await work();
  console.log(`bench: ${name} done in ${((now() - at) / 1000).toFixed(1)} s`);
  return result;
};
/** A benchmark that fails is a row saying so, not the end of the others. */
const failed = (name: string, error: unknown): Figure => ({ figure: name, target: "–", unit: "", measured: Number.NaN, note: `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` });
try {
  figures.push(...(await step("cold start and RSS", () => coldStart(root, sizes)).catch((error: unknown) => [failed("cold start and RSS", error)])));
  const run = await step("dispatch and log pipeline", () => dispatchAndLogs(root, sizes)).catch((error: unknown) => {
    figures.push(failed("dispatch and log pipeline", error));
    return undefined;
  });
  if (run) {
    figures.push(...run.figures);
    try {
      figures.push(...(await step("API at scale", () => apiAtScale(run.server, run.workspaceId, run.runTaskId, sizes)).catch((error: unknown) => [failed("API at scale", error)])));
    } finally {
      await run.server.stop();
    }
  }
  await step("memory and paced runs", () => memoryAndLogs(root, memorySizes, figures)).catch((error: unknown) => figures.push(failed("memory and paced runs", error)));
  figures.push(...(await step("board in the browser", () => boardInBrowser(root, { tasks: boardTasks, repeats: sizes.repeats, logLines: sizes.logLines })).catch((error: unknown) => [failed("board in the browser", error)])));
  // In process, last: these point this process's DATABASE_URL at their own database.
  figures.push(...(await step("worktree creation on a large repository", () => worktreeCreation(root, worktreeSizes)).catch((error: unknown) => [failed("worktree creation", error)])));
  figures.push(...(await step("scheduler pass", () => schedulerPass(root, schedulerSizes)).catch((error: unknown) => [failed("scheduler pass", error)])));
  figures.push(...(await step("SSH dispatch (worktree phase and the whole dispatch)", () => sshDispatch(root, sshRepeats)).catch((error: unknown) => [failed("SSH dispatch", error)])));
} finally {
  fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
const durationS = (now() - started) / 1000;
console.log(`\n${renderTable(figures)}\n`);
writeResults(path.join(ROOT, "bench", "RESULTS.md"), figures, { date: new Date(), machine: machine(), mode: quick ? "quick" : "full", sizes: { ...sizes, ...memorySizes, repoFiles: worktreeSizes.repoFiles, repoCommits: worktreeSizes.repoCommits, ...schedulerSizes, sshRepeats }, durationS, context: process.env.BENCH_CONTEXT });
console.log(`bench: wrote bench/RESULTS.md (${durationS.toFixed(0)} s)`);

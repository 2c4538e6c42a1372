/**
 * `npm run bench:profile-pipeline`: where the production server's CPU goes in the one-run log
 * pipeline (the figure `npm run bench` calls "log pipeline, one run"), per line, next to the floors
 * of its two unavoidable steps measured in the same run.
 *
 * The server (`server.ts` over `.next/`, Node's --cpu-prof) runs BENCH_PROFILE_RUNS (3) stand-in
 * runs of BENCH_PROFILE_LINES (200,000) lines printed as fast as the pipe takes them, each followed
 * by an SSE client of GET /api/tasks/:id/logs/stream, as the suite does; before each, the same
 * stand-in's raw pipe is read by hand. It stops with SIGTERM, which writes the profile. Each
 * sample's time goes to the innermost step of the pipeline on its stack (by the function names the
 * production bundle keeps: `pushStdout`, `append`, `sqliteTransaction`, `publishRunLog`, ...);
 * what is on no step's stack (start-up, the API requests, the dispatch, the run's end) is "other".
 * After the server has stopped, with nothing else running, the floors: JSON.parse alone of the
 * stand-in's lines, the Claude Code parser alone, and the SQLite insert alone
 * (bench/log-insert.ts), each in this process.
 *
 * Writes bench/PROFILE-pipeline.md; the raw .cpuprofile stays in the temp folder named there.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { insertRate, parseMicros, parserMicros, rawPipe, rowsOf } from "./log-insert";
import { machine } from "./lib/results";
import { assertBuilt, benchRepo, ROOT } from "./lib/server";
import { readProfile, startProfiledServer, type CpuProfile } from "./profile";
import { median } from "./lib/stats";
import { logRun, stubByHand } from "./server-figures";

const count = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const runs = count("BENCH_PROFILE_RUNS", 3);
const lines = count("BENCH_PROFILE_LINES", 200_000);

/** The pipeline's steps, in the order a line goes through them. */
export const STEPS = [
  "read: the log file read, split into lines",
  "parsed: the agent's JSON into events (the Claude Code parser)",
  "queued: the line recorder, the event's JSON with its line (line-recorder.ts, log-writer.ts)",
  "stored: SQLite insert and commit (log-store.ts)",
  "published: the bus and the SSE stream (sse.ts), socket writes",
  "garbage collection",
] as const;
type Step = (typeof STEPS)[number] | "other: start-up, API requests, the dispatch, the run's end";

/** The step a frame's name marks, if any: the innermost marked frame of a stack decides. */
function stepOf(name: string): Step | null {
  switch (name) {
    case "(garbage collector)":
      return "garbage collection";
    case "sqliteTransaction":
      return "stored: SQLite insert and commit (log-store.ts)";
    case "publishRunLog":
    case "flushNow":
    case "writev":
      return "published: the bus and the SSE stream (sse.ts), socket writes";
    case "pushStdout":
    case "pushStderr":
      return "parsed: the agent's JSON into events (the Claude Code parser)";
    case "append":
    case "onStdoutLine":
    case "onStderrLine":
      return "queued: the line recorder, the event's JSON with its line (line-recorder.ts, log-writer.ts)";
    case "readToEnd":
    case "onStdout":
    case "onStderr":
      return "read: the log file read, split into lines";
    default:
      return null;
  }
}

/** Busy ms per step: every sample's time goes to the innermost marked frame on its stack. */
export function stepTimes(profile: CpuProfile): { busyMs: number; steps: Map<Step, number> } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const stepOfNode = new Map<number, Step | "idle">();
  const resolve = (id: number): Step | "idle" => {
    const known = stepOfNode.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === "(idle)") return "idle";
    const up = parent.get(id);
    const step = stepOf(node.callFrame.functionName) ?? (up === undefined ? "other: start-up, API requests, the dispatch, the run's end" : resolve(up));
    stepOfNode.set(id, step);
    return step;
  };
  const steps = new Map<Step, number>();
  let busyMs = 0;
  profile.samples.forEach((id, index) => {
    const step = resolve(id);
    if (step === "idle") return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    busyMs += ms;
    steps.set(step, (steps.get(step) ?? 0) + ms);
  });
  return { busyMs, steps };
}

async function main(): Promise<void> {
  assertBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-pipeline-profile-"));
  // The agents at the niceness of the raw pipe's stand-in, as in `npm run bench`.
  const { server, profDir } = await startProfiledServer(root, { AI_SLAVE_AGENT_NICE: "0" });
  const repo = benchRepo(path.join(root, "repo"));
  const { body: workspace } = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name: "profile", path: repo } });
  const rawRates: number[] = [];
  const pipelineRates: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    rawRates.push((await stubByHand(lines, repo)).linesPerS);
    pipelineRates.push((await logRun(server, workspace.id, lines)).linesPerS);
  }
  await server.stop();
  const { file, profile } = readProfile(profDir);
  const { busyMs, steps } = stepTimes(profile);

  // The floors, with the server gone: the same stand-in's lines, in this process.
  const sample = await rawPipe(lines);
  const jsonParse = parseMicros(sample.lines);
  const parser = await parserMicros(sample.lines);
  const rows = await rowsOf(sample.lines);
  const insert = 1e6 / insertRate(rows, root, 0);
  fs.rmSync(path.join(root, "server"), { recursive: true, force: true });

  const delivered = runs * (lines + 2);
  const perLine = (ms: number) => (ms * 1000) / delivered;
  const pipelineMs = STEPS.reduce((sum, step) => sum + (steps.get(step) ?? 0), 0);
  const raw = median(rawRates);
  const measured = median(pipelineRates);
  const budget = 1e6 / (0.25 * raw);
  const floors: Partial<Record<Step, string>> = {
    "parsed: the agent's JSON into events (the Claude Code parser)": `${parser.toFixed(2)} (the parser alone; JSON.parse alone ${jsonParse.toFixed(2)})`,
    "stored: SQLite insert and commit (log-store.ts)": `${insert.toFixed(2)} (bench/log-insert.ts: prepared INSERT, one transaction per 2,000 rows)`,
  };
  const m = machine();
  const text = [
    "# Where the server's CPU goes in the one-run log pipeline",
    "",
    `Written by \`npm run bench:profile-pipeline\` on ${new Date().toISOString()}: the production server under Node's --cpu-prof ran ${runs} stand-in runs of ${lines.toLocaleString("en-US")} lines, each printed as fast as the pipe took them and followed by one SSE client (the suite's "log pipeline, one run").`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average at the end ${m.loadAverage.map((value) => value.toFixed(2)).join(" / ")}.${process.env.BENCH_CONTEXT ? ` ${process.env.BENCH_CONTEXT}` : ""}`,
    "",
    `Pipeline: ${measured.toFixed(0)} lines/s (runs: ${pipelineRates.map((rate) => rate.toFixed(0)).join(", ")}) against the raw pipe's ${raw.toFixed(0)} (runs: ${rawRates.map((rate) => rate.toFixed(0)).join(", ")}): ${((100 * measured) / raw).toFixed(1)}%, under the profiler (which slows the server). The target, 25% of the raw pipe, is ${(0.25 * raw).toFixed(0)} lines/s: ${budget.toFixed(1)} µs of the server's thread a line, everything included.`,
    "",
    `The server's main thread was busy ${(busyMs / 1000).toFixed(1)} s, ${perLine(pipelineMs).toFixed(1)} µs a line in the pipeline's steps (${delivered.toLocaleString("en-US")} lines delivered), of the ${(1e6 / measured).toFixed(1)} µs a line takes at the pipeline's rate: the figure is bound by that one thread.`,
    "",
    "| step | µs a line | floor, µs a line (measured alone in the same run) |",
    "|---|---|---|",
    ...STEPS.map((step) => `| ${step} | ${perLine(steps.get(step) ?? 0).toFixed(2)} | ${floors[step] ?? "–"} |`),
    `| **the pipeline's steps** | **${perLine(pipelineMs).toFixed(2)}** | parse and insert alone: ${(parser + insert).toFixed(2)}; the target leaves ${budget.toFixed(1)} |`,
    `| other: start-up, API requests, the dispatch, the run's end | ${perLine(steps.get("other: start-up, API requests, the dispatch, the run's end") ?? 0).toFixed(2)} | – |`,
    "",
    parser + insert > budget
      ? `The parse and the insert alone, each measured with nothing else running, take ${(parser + insert).toFixed(2)} µs a line: more than the ${budget.toFixed(1)} µs the target leaves for everything, so a server that parses each line and stores each event as a row of its own, on one thread, cannot meet it on this machine.`
      : `The parse and the insert alone take ${(parser + insert).toFixed(2)} µs a line of the ${budget.toFixed(1)} µs the target leaves; the rest of the pipeline must fit in ${(budget - parser - insert).toFixed(2)}.`,
    "",
    `Raw profile: ${file} (removed with the temp folder; open it in Chrome's DevTools or speedscope).`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(ROOT, "bench", "PROFILE-pipeline.md"), text);
  console.log(text);
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

/**
 * The floor under the one-run log pipeline figure: the SQLite insert alone. The stand-in's lines
 * (bench/fixtures/stub-claude.mjs, read off its pipe: that read is the raw baseline, as in
 * `npm run bench`) are parsed by the Claude Code parser and made into the rows the server stores
 * (the event's JSON with its line), outside the timing. Then they are inserted as the server's log
 * connection inserts them (server/events/log-store.ts): one prepared INSERT bound row by row, one
 * transaction per 2,000 rows, WAL and synchronous=NORMAL, no checkpoint in a commit (the server's
 * run in another process), into the RunLog table of the project's
 * migrations (its AUTOINCREMENT id, its foreign key to the run, its unique index on run and seq).
 *
 *   npx tsx bench/log-insert.ts [--lines 200000] [--repeats 3]
 *
 * Prints the raw pipe's lines/s, the insert's rows/s and µs a row, and the insert's rate as a
 * share of the pipe's: the one-run figure's target (25% of the pipe) cannot be met where the
 * insert alone is slower than that on the server's one thread. Not a test.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { register } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { median } from "./lib/stats";

// The parser's imports reach "server-only", which throws outside Next's server bundles.
register(
  `data:text/javascript,${encodeURIComponent(
    `export async function resolve(specifier, context, next) { return specifier === "server-only" ? { url: "data:text/javascript,export{}", shortCircuit: true } : next(specifier, context); }`,
  )}`,
  import.meta.url,
);

const ROOT = path.resolve(import.meta.dirname, "..");
const STUB = path.join(ROOT, "bench", "fixtures", "stub-claude.mjs");
const BATCH = 2000;

/** The stand-in's lines read off its pipe, and the pipe's rate from the first byte to the last. */
export function rawPipe(lines: number): Promise<{ lines: string[]; linesPerS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STUB, String(lines)], { stdio: ["ignore", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    let first = 0;
    let last = 0;
    let count = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      last = performance.now();
      first ||= last;
      chunks.push(chunk);
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) count += 1;
    });
    child.on("error", reject);
    child.on("exit", () => resolve({ lines: Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean), linesPerS: count / ((last - first) / 1000) }));
  });
}

/** The rows the server stores for these lines: seq, kind and the event's JSON with its line (log-writer.ts). */
export async function rowsOf(lines: string[]): Promise<{ kind: string; data: string }[]> {
  const { createClaudeParser } = await import("../server/agents/claude-code/parser");
  const parser = createClaudeParser();
  const rows: { kind: string; data: string }[] = [];
  for (const line of lines) {
    const events = parser.pushStdout(line);
    events.forEach((event, index) => {
      const json = JSON.stringify(event);
      rows.push({ kind: event.kind, data: index === 0 && !("line" in event) ? `${json.slice(0, -1)},"line":${JSON.stringify(line)}}` : json });
    });
  }
  return rows;
}

/** The RunLog table as the migrations make it, with a one-column run table for its foreign key. */
function freshDatabase(file: string): Database.Database {
  const init = fs.readFileSync(path.join(ROOT, "prisma", "migrations", "20261124120000_init", "migration.sql"), "utf8");
  const table = /CREATE TABLE "RunLog" \([\s\S]*?\n\);/.exec(init)?.[0];
  const index = /CREATE UNIQUE INDEX "RunLog_runId_seq_key"[^;]*;/.exec(init)?.[0];
  if (!table || !index) throw new Error("RunLog's table or index not found in the init migration");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // No checkpoint in a commit: the server's run in another process (server/db/wal-checkpoint.ts),
  // and its connections checkpoint themselves only past a safety net it does not reach while the
  // checkpointer keeps up. So this is the insert's floor on the server's thread.
  db.pragma("wal_autocheckpoint = 0");
  db.exec(`CREATE TABLE "Run" ("id" INTEGER NOT NULL PRIMARY KEY); INSERT INTO "Run" ("id") VALUES (1); ${table} ${index}`);
  return db;
}

/** Rows a second for one run's rows inserted as the log connection does. */
export function insertRate(rows: { kind: string; data: string }[], dir: string, repeat: number): number {
  const db = freshDatabase(path.join(dir, `insert-${repeat}.db`));
  const insert = db.prepare(`INSERT INTO "RunLog" ("runId", "seq", "ts", "kind", "data") VALUES (?, ?, ?, ?, ?)`);
  const ts = new Date().toISOString();
  const started = performance.now();
  for (let from = 0; from < rows.length; from += BATCH) {
    db.transaction(() => {
      for (let seq = from; seq < Math.min(rows.length, from + BATCH); seq += 1) insert.run(1, seq + 1, ts, rows[seq]!.kind, rows[seq]!.data);
    }).immediate();
  }
  const rate = rows.length / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/** µs a line for JSON.parse alone of these lines: the least any parser of the agent's stream costs. */
export function parseMicros(lines: string[]): number {
  let kinds = 0;
  const started = performance.now();
  for (const line of lines) kinds += (JSON.parse(line) as { type: string }).type.length;
  const micros = ((performance.now() - started) * 1000) / lines.length;
  if (kinds === 0) throw new Error("no line parsed");
  return micros;
}

/** µs a line for the Claude Code parser alone (server/agents/claude-code/parser.ts), in this process. */
export async function parserMicros(lines: string[]): Promise<number> {
  const { createClaudeParser } = await import("../server/agents/claude-code/parser");
  const parser = createClaudeParser();
  let events = 0;
  const started = performance.now();
  for (const line of lines) events += parser.pushStdout(line).length;
  const micros = ((performance.now() - started) * 1000) / lines.length;
  if (events === 0) throw new Error("the parser made no event");
  return micros;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { lines: { type: "string", default: "200000" }, repeats: { type: "string", default: "3" } } });
  const lines = Number(args.lines);
  const repeats = Number(args.repeats);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-log-insert-"));
  try {
    const pipeRates: number[] = [];
    const insertRates: number[] = [];
    let bytes = 0;
    let count = 0;
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const pipe = await rawPipe(lines);
      pipeRates.push(pipe.linesPerS);
      const rows = await rowsOf(pipe.lines);
      count = rows.length;
      bytes = rows.reduce((sum, row) => sum + Buffer.byteLength(row.data), 0);
      insertRates.push(insertRate(rows, dir, repeat));
    }
    const pipe = median(pipeRates);
    const insert = median(insertRates);
    console.log(`raw pipe: ${pipe.toFixed(0)} lines/s (runs: ${pipeRates.map((rate) => rate.toFixed(0)).join(", ")})`);
    console.log(`SQLite insert alone: ${insert.toFixed(0)} rows/s, ${(1e6 / insert).toFixed(1)} µs a row (runs: ${insertRates.map((rate) => rate.toFixed(0)).join(", ")}); ${count} rows of ${(bytes / count).toFixed(0)} bytes of data on average`);
    console.log(`the insert alone as a share of the raw pipe: ${((100 * insert) / pipe).toFixed(1)}% (the one-run target: 25%, which leaves ${(1e6 / (0.25 * pipe)).toFixed(1)} µs a line for everything)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

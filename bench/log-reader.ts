/**
 * The server's reader of local run logs (server/exec/local-follow.ts) under many runs printing a
 * little at a time, against the least a reader can do: CPU of this process while `--runs` files
 * are written `--rate` times a second each (a child process writes them, a 300-byte line per
 * write), read to their ends as they grow.
 *
 *   npx tsx bench/log-reader.ts [--runs 50] [--rate 100] [--seconds 8] [--repeats 3]
 *
 * Baseline: per file one `fs.watch` whose callback reads the new bytes with `readSync` into one
 * buffer and counts them (no exit file, no looks, no copies). Ours: `readRunLogs` as a run's
 * supervisor calls it, until each run's exit file appears. Both read every byte (checked); they
 * alternate, `--repeats` times each. Not a test.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { detachedFiles } from "../server/exec/detached-scripts";
import { readRunLogs } from "../server/exec/local-follow";
import { median } from "./lib/stats";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "50" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "8" },
    repeats: { type: "string", default: "3" },
  },
});
const runs = Number(args.runs);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const repeats = Number(args.repeats);

const WRITER = `
const fs = require("node:fs");
const [dir, runs, rate, seconds] = process.argv.slice(1);
const fds = Array.from({ length: +runs }, (_, i) => fs.openSync(dir + "/run-" + i + ".log", "a"));
const line = JSON.stringify({ type: "assistant", text: "x".repeat(270) }) + "\\n";
const end = Date.now() + seconds * 1000;
const tick = () => {
  for (const fd of fds) fs.writeSync(fd, line);
  if (Date.now() < end) return setTimeout(tick, 1000 / rate);
  for (let i = 0; i < +runs; i += 1) fs.writeFileSync(dir + "/run-" + i + ".exit", "0\\n");
};
tick();
`;

type Reader = (files: ReturnType<typeof detachedFiles>[], count: (bytes: number) => void, writerDone: Promise<void>) => Promise<void>;

const ours: Reader = async (files, count) => {
  const streams = files.map((file) => readRunLogs(file, { stdout: 0, stderr: 0 }, { onStdout: (chunk) => count(chunk.length), onStderr: () => undefined }, "run-ended"));
  await Promise.all(streams.map((stream) => stream.exited));
};

const bare: Reader = async (files, count, writerDone) => {
  const buffer = Buffer.allocUnsafeSlow(64 * 1024);
  const open = files.map((file) => ({ fd: fs.openSync(file.out, "r"), position: 0 }));
  const readAll = (entry: (typeof open)[number]) => {
    for (let bytes = 1; bytes > 0; ) {
      bytes = fs.readSync(entry.fd, buffer, 0, buffer.length, entry.position);
      entry.position += bytes;
      count(bytes);
    }
  };
  const watchers = files.map((file, index) => fs.watch(file.out, () => readAll(open[index]!)));
  await writerDone;
  for (const watcher of watchers) watcher.close();
  for (const entry of open) {
    readAll(entry);
    fs.closeSync(entry.fd);
  }
};

async function measure(reader: Reader): Promise<{ cpuMs: number; bytes: number; expected: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-log-reader-"));
  try {
    const files = Array.from({ length: runs }, (_, index) => detachedFiles(path.join(dir, `run-${index}.log`)));
    for (const file of files) {
      fs.writeFileSync(file.out, "");
      fs.writeFileSync(file.err, "");
    }
    let bytes = 0;
    const before = process.cpuUsage();
    const writer = spawn(process.execPath, ["-e", WRITER, dir, String(runs), String(rate), String(seconds)], { stdio: "inherit" });
    const writerDone = new Promise<void>((resolve) => writer.once("exit", () => resolve()));
    await reader(files, (count) => (bytes += count), writerDone);
    await writerDone;
    const used = process.cpuUsage(before);
    const expected = files.reduce((sum, file) => sum + fs.statSync(file.out).size, 0);
    return { cpuMs: (used.user + used.system) / 1000, bytes, expected };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const oursMs: number[] = [];
const bareMs: number[] = [];
for (let round = 0; round < repeats; round += 1) {
  for (const [name, reader, into] of [["ours", ours, oursMs], ["bare", bare, bareMs]] as const) {
    const result = await measure(reader);
    if (result.bytes !== result.expected) throw new Error(`${name}: read ${result.bytes} bytes of ${result.expected}`);
    into.push(result.cpuMs);
    console.log(`${name}: ${result.cpuMs.toFixed(0)} ms of CPU for ${(result.bytes / 1e6).toFixed(1)} MB`);
  }
}
const writes = runs * rate * seconds;
console.log(
  `\n${runs} runs x ${rate} writes/s x ${seconds} s (${writes.toLocaleString("en-US")} writes): reader CPU median ${median(oursMs).toFixed(0)} ms (${((median(oursMs) * 1000) / writes).toFixed(1)} µs a write), bare ${median(bareMs).toFixed(0)} ms (${((median(bareMs) * 1000) / writes).toFixed(1)} µs), ratio ${(median(oursMs) / median(bareMs)).toFixed(2)}`,
);

/**
 * The server's own reader of a local run's logs (server/exec/local-follow.ts), on real files
 * written while it reads: every byte once and in order across many 64 KB reads, the end of a run
 * seen from its exit file or its dead run script, reads from given offsets, and close() stopping
 * at once without leaving a descriptor open; chunks a handler keeps stay as they came, and a file
 * that grew by much is read with the event loop turning between chunks.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detachedFiles, type DetachedFiles } from "@/server/exec/detached-scripts";
import { readExitStatus, readRunLogs } from "@/server/exec/local-follow";

let dir: string;
let files: DetachedFiles;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-follow-"));
  files = detachedFiles(path.join(dir, "run-1.log"));
  fs.writeFileSync(files.out, "");
  fs.writeFileSync(files.err, "");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function collector() {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    handlers: { onStdout: (chunk: Buffer) => out.push(Buffer.from(chunk)), onStderr: (chunk: Buffer) => err.push(Buffer.from(chunk)) },
    out: () => Buffer.concat(out).toString("utf8"),
    err: () => Buffer.concat(err).toString("utf8"),
  };
}

/** This process's descriptors open on the run's logs. */
const openOnLogs = () =>
  fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return [files.out, files.err].includes(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a local run's logs read by the server", () => {
  it("delivers every byte once and in order while the run writes, then ends with the exit status", async () => {
    const seen = collector();
    const stream = readRunLogs(files, { stdout: 0, stderr: 0 }, seen.handlers, "run-ended");
    // 2,000 lines in 40 writes of 50 (about 9 KB each, 360 KB in all: many reads, some mid-line).
    const expected: string[] = [];
    for (let batch = 0; batch < 40; batch += 1) {
      const lines = Array.from({ length: 50 }, (_, index) => `line ${batch * 50 + index} ${"x".repeat(160)}`);
      expected.push(...lines);
      fs.appendFileSync(files.out, `${lines.join("\n")}\n`);
      if (batch % 10 === 0) fs.appendFileSync(files.err, `warning ${batch}\n`);
      await sleep(5);
    }
    // Delivered while the run goes on (no exit status yet), not only at its end.
    for (let waited = 0; !seen.out().includes("line 1999 ") && waited < 5_000; waited += 20) await sleep(20);
    expect(seen.out()).toBe(`${expected.join("\n")}\n`);
    fs.writeFileSync(files.exit, "0\n");
    expect(await stream.exited).toEqual({ exitCode: 0, lost: false });
    expect(seen.out()).toBe(`${expected.join("\n")}\n`);
    expect(seen.err()).toBe("warning 0\nwarning 10\nwarning 20\nwarning 30\n");
  });

  it("hands on chunks a handler may keep: later reads (into reused buffers) do not change them", async () => {
    // The handlers keep the chunks themselves, as a parser holding a partial line does.
    const kept: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
    const stream = readRunLogs(files, { stdout: 0, stderr: 0 }, { onStdout: (chunk) => kept.out.push(chunk), onStderr: (chunk) => kept.err.push(chunk) }, "run-ended");
    let out = "";
    let err = "";
    for (let write = 0; write < 60; write += 1) {
      // Every read a different size, both files at once, some over a whole 64 KB read.
      const text = `${String(write).padStart(3, "0")}:${"abcdefghij".repeat(write * 150)}\n`;
      out += text;
      fs.appendFileSync(files.out, text);
      err += `e${write}\n`;
      fs.appendFileSync(files.err, `e${write}\n`);
      await sleep(3);
    }
    fs.writeFileSync(files.exit, "0\n");
    expect(await stream.exited).toEqual({ exitCode: 0, lost: false });
    expect(kept.out.length).toBeGreaterThan(10);
    expect(Buffer.concat(kept.out).toString("utf8")).toBe(out);
    expect(Buffer.concat(kept.err).toString("utf8")).toBe(err);
  });

  it("reads a file that grew by much in chunks with the event loop turning between them", async () => {
    const text = `${"y".repeat(99)}\n`.repeat(10_000);
    fs.writeFileSync(files.out, text);
    let turned = false;
    const sawTurn: boolean[] = [];
    const chunks: Buffer[] = [];
    const stream = readRunLogs(files, { stdout: 0, stderr: 0 }, {
      onStdout: (chunk) => {
        if (chunks.length === 0) setImmediate(() => (turned = true));
        chunks.push(chunk);
        sawTurn.push(turned);
      },
      onStderr: () => undefined,
    }, "end-of-file");
    expect(await stream.exited).toEqual({ exitCode: 0, lost: false });
    // 1 MB: sixteen 64 KB reads, not one read of all of it, and not all of them in one go.
    expect(chunks.length).toBe(16);
    expect(sawTurn.at(-1)).toBe(true);
    expect(Buffer.concat(chunks).toString("utf8")).toBe(text);
  });

  it("ends when the run script is gone without an exit status, with what it wrote", async () => {
    const script = spawn("sleep", ["0.3"]);
    fs.writeFileSync(files.pid, `${script.pid}\n`);
    fs.writeFileSync(files.out, "before the end\n");
    const seen = collector();
    const stream = readRunLogs(files, { stdout: 0, stderr: 0 }, seen.handlers, "run-ended");
    await new Promise((resolve) => script.once("exit", resolve));
    expect(await stream.exited).toEqual({ exitCode: 0, lost: false });
    expect(seen.out()).toBe("before the end\n");
  });

  it("reads once from the offsets to the end of each file", async () => {
    fs.writeFileSync(files.out, "old line\nnew line\n");
    fs.writeFileSync(files.err, "old\nnew\n");
    const seen = collector();
    const stream = readRunLogs(files, { stdout: "old line\n".length, stderr: "old\n".length }, seen.handlers, "end-of-file");
    expect(await stream.exited).toEqual({ exitCode: 0, lost: false });
    expect(seen.out()).toBe("new line\n");
    expect(seen.err()).toBe("new\n");
  });

  it("stops at close() while the run goes on, and leaves no descriptor open", async () => {
    fs.writeFileSync(files.out, "first\n");
    const seen = collector();
    const stream = readRunLogs(files, { stdout: 0, stderr: 0 }, seen.handlers, "run-ended");
    for (let waited = 0; seen.out() === "" && waited < 5_000; waited += 20) await sleep(20);
    expect(seen.out()).toBe("first\n");
    expect(openOnLogs()).toBe(2);
    stream.close();
    expect(await stream.exited).toEqual({ exitCode: null, lost: false });
    fs.appendFileSync(files.out, "after the close\n");
    await sleep(300);
    expect(seen.out()).toBe("first\n");
    expect(openOnLogs()).toBe(0);
  });

  it("reads the exit status as the status script would: the status, nothing while the run script runs, gone without either", async () => {
    expect(await readExitStatus(files)).toBe("gone");
    const script = spawn("sleep", ["5"]);
    try {
      fs.writeFileSync(files.pid, `${script.pid}\n`);
      expect(await readExitStatus(files)).toBe("");
      fs.writeFileSync(files.exit, "3\n");
      expect(await readExitStatus(files)).toBe("3\n");
    } finally {
      script.kill("SIGKILL");
    }
    await new Promise((resolve) => script.once("exit", resolve));
    fs.rmSync(files.exit);
    expect(await readExitStatus(files)).toBe("gone");
  });
});

import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { LocalTransport } from "@/server/exec/local";
import { MAX_LINE_BYTES, lineCutMarker } from "@/server/exec/line-splitter";
import type { SpawnedProcess } from "@/server/exec/transport";
import { isProcessRunning } from "./process-liveness";

const cwd = tmpdir();

interface Collected {
  stdout: string[];
  stderr: string[];
  process: SpawnedProcess;
}

function start(argv: string[], options: { stdin?: string; transport?: LocalTransport } = {}): Collected {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const transport = options.transport ?? new LocalTransport();
  const process = transport.spawn(argv, {
    cwd,
    stdin: options.stdin,
    onStdoutLine: (line) => stdout.push(line),
    onStderrLine: (line) => stderr.push(line),
  });
  return { stdout, stderr, process };
}

function node(script: string): string[] {
  return [process.execPath, "-e", script];
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("LocalTransport.spawn output", () => {
  it("delivers a 5 MB single line cut at 1 MB, with a marker counting the rest", async () => {
    const run = start(node("process.stdout.write('x'.repeat(5 * 1024 * 1024) + '\\n')"));
    expect(await run.process.exited).toEqual({ exitCode: 0, signal: null });
    expect(run.stdout).toHaveLength(1);
    expect(run.stdout[0]).toBe(`${"x".repeat(MAX_LINE_BYTES)}${lineCutMarker(5 * 1024 * 1024 - MAX_LINE_BYTES)}`);
  });

  it("delivers a partial last line at exit", async () => {
    const run = start(["printf", "one\\r\\ntwo"]);
    await run.process.exited;
    expect(run.stdout).toEqual(["one", "two"]);
  });

  it("decodes multi-byte UTF-8 split across writes", async () => {
    const script = `
      const bytes = Buffer.from("é€😀\\n");
      let i = 0;
      const next = () => { if (i < bytes.length) { process.stdout.write(bytes.subarray(i, ++i)); setTimeout(next, 5); } };
      next();`;
    const run = start(node(script));
    await run.process.exited;
    expect(run.stdout).toEqual(["é€😀"]);
  });

  it("writes stdin and splits stderr separately", async () => {
    const run = start(["bash", "-c", "cat; echo oops >&2"], { stdin: "prompt line 1\nprompt line 2\n" });
    await run.process.exited;
    expect(run.stdout).toEqual(["prompt line 1", "prompt line 2"]);
    expect(run.stderr).toEqual(["oops"]);
  });

  it("resolves exited only after every line was delivered", async () => {
    const run = start(node("for (let i = 0; i < 20000; i++) console.log('line ' + i); process.exitCode = 4"));
    const exit = await run.process.exited;
    expect(exit.exitCode).toBe(4);
    expect(run.stdout).toHaveLength(20000);
    expect(run.stdout[19999]).toBe("line 19999");
  });

  it("does not hang on a background child that keeps stdout open", async () => {
    const transport = new LocalTransport({ drainMs: 200 });
    const run = start(["bash", "-c", "sleep 30 & echo $!"], { transport });
    const started = Date.now();
    expect((await run.process.exited).exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    process.kill(Number(run.stdout[0]), "SIGKILL");
  });

  it("reports a missing binary as exit 127 with a stderr line", async () => {
    const run = start(["ai-slave-no-such-binary", "--flag"]);
    expect(await run.process.exited).toEqual({ exitCode: 127, signal: null });
    expect(run.process.pid).toBeUndefined();
    expect(run.stderr).toEqual(["ai-slave-no-such-binary: command not found"]);
  });
});

describe("LocalTransport.spawn terminate", () => {
  it("stops a process that honours SIGTERM without waiting for the grace", async () => {
    const run = start(["sleep", "30"]);
    const started = Date.now();
    await run.process.terminate(10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await run.process.exited).toEqual({ exitCode: null, signal: "SIGTERM" });
  });

  it("SIGKILLs a group whose members ignore SIGTERM and leaves none behind", async () => {
    const script = 'trap "" TERM; sleep 100 & echo $!; sleep 100 & echo $!; wait';
    const run = start(["bash", "-c", script]);
    await waitFor(() => run.stdout.length === 2);
    const pids = [run.process.pid as number, ...run.stdout.map(Number)];
    expect(pids.every(isProcessRunning)).toBe(true);

    const started = Date.now();
    await run.process.terminate(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await run.process.exited).toEqual({ exitCode: null, signal: "SIGKILL" });
    await waitFor(() => !pids.some(isProcessRunning), 2_000);
  });

  it("kills the group on timeoutMs", async () => {
    const stderr: string[] = [];
    const spawned = new LocalTransport().spawn(["sleep", "30"], {
      cwd,
      timeoutMs: 200,
      onStdoutLine: () => undefined,
      onStderrLine: (line) => stderr.push(line),
    });
    expect((await spawned.exited).signal).toBe("SIGTERM");
    expect(stderr).toEqual(["sleep: timed out after 200 ms"]);
  });

  it("is a no-op after the process exited", async () => {
    const run = start(["true"]);
    await run.process.exited;
    await run.process.terminate(1_000);
    expect(await run.process.exited).toEqual({ exitCode: 0, signal: null });
  });
});

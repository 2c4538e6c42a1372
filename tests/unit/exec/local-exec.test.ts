import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { sharedSpawner } from "@/server/exec/spawner";
import { isProcessRunning, processesWith } from "./process-liveness";

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const cwd = tmpdir();
// Field 19 of /proc/<pid>/stat is the niceness; the fields after the command's ")" start at 3.
const niceIn = (stat: string) => Number(stat.split(") ")[1]!.split(" ")[16]);
const own = niceIn(fs.readFileSync("/proc/self/stat", "utf8"));

// The same behaviour whoever starts the command: the spawner process (the default) or this one.
describe.each([
  ["through the spawner", undefined],
  ["started in this process", null],
] as const)("LocalTransport.exec, %s", (_how, spawner) => {
  const transport = new LocalTransport({ spawner });

  it("collects stdout, stderr and the exit code without throwing on failure", async () => {
    const result = await transport.exec(["bash", "-c", "echo out; echo err >&2; exit 3"], { cwd });
    expect(result).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("keeps at most maxOutputBytes of each stream, cut with a marker that counts the rest", async () => {
    const result = await transport.exec(["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; head -c 5000 /dev/zero | tr '\\0' e >&2"], { cwd, maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`${"x".repeat(1000)}\n[output cut at 1000 bytes: 99000 more bytes not kept]\n`);
    expect(result.stderr).toBe(`${"e".repeat(1000)}\n[output cut at 1000 bytes: 4000 more bytes not kept]\n`);
  });

  it("writes stdin and closes it", async () => {
    const result = await transport.exec(["cat"], { cwd, stdin: "héllo\nworld" });
    expect(result.stdout).toBe("héllo\nworld");
  });

  it("closes stdin at once when none is given", async () => {
    const result = await transport.exec(["cat"], { cwd, timeoutMs: 5_000 });
    expect(result).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  it("runs in cwd with env added to the inherited environment", async () => {
    const result = await transport.exec(["bash", "-c", 'echo "$PWD $AI_SLAVE_TEST ${PATH:+has-path}"'], {
      cwd: "/",
      env: { AI_SLAVE_TEST: "yes" },
    });
    expect(result.stdout).toBe("/ yes has-path\n");
  });

  it("kills the process group on timeout", async () => {
    const started = Date.now();
    const result = await transport.exec(["bash", "-c", "sleep 30; echo never"], { cwd, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.exitCode).toBeNull();
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("timed out after 200 ms");
  });

  it("a timeout ends also a tree that keeps starting processes: frozen first, nothing started after the listing is left", async () => {
    const marker = `33.${process.pid}${spawner === null ? 1 : 2}`;
    const result = await transport.exec(["sh", "-c", `sh -c 'while :; do sleep ${marker} & sleep 0.01; done' & wait`], { cwd, timeoutMs: 1_500 });
    expect(result.exitCode).toBeNull();
    // The kill is done when the answer comes; what the kernel still reaps is given a moment.
    await waitUntil(() => processesWith(marker).length === 0, 2_000);
  });

  it("reports a missing binary as exit 127", async () => {
    const result = await transport.exec(["ai-slave-no-such-binary"], { cwd });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain("ai-slave-no-such-binary: command not found");
  });

  it("says when the working directory is missing rather than the binary", async () => {
    const result = await transport.exec(["ls"], { cwd: "/ai-slave-no-such-dir" });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain("working directory not found: /ai-slave-no-such-dir");
  });
});

describe("a workspace's scripts", () => {
  it("run AI_SLAVE_AGENT_NICE (default 19) above this process, in the login shell, without the server's token", async () => {
    const transport = new LocalTransport();
    const lines: string[] = [];
    const child = transport.spawn(transport.userScriptArgv('cat /proc/$$/stat; echo "token=${AI_SLAVE_TOKEN:-none}"'), { cwd, env: { AI_SLAVE_TOKEN: "not-for-scripts" }, onStdoutLine: (line) => lines.push(line), onStderrLine: () => undefined });
    expect((await child.exited).exitCode).toBe(0);
    expect(niceIn(lines[0]!)).toBe(Math.min(19, own + 19));
    expect(lines[1]).toBe("token=none");
  });
});

describe("the spawner", () => {
  const transport = new LocalTransport();

  it("starts the commands, so this process is not their parent", async () => {
    const result = await transport.exec(["sh", "-c", "echo $PPID"], { cwd });
    const spawner = sharedSpawner()!;
    expect(spawner.pid).toBeGreaterThan(0);
    expect(Number(result.stdout.trim())).toBe(spawner.pid);
    expect(Number(result.stdout.trim())).not.toBe(process.pid);
  });

  it("starts them at AI_SLAVE_WORK_NICE (default 10), never below this process's niceness", async () => {
    const result = await transport.exec(["sh", "-c", "cat /proc/$$/stat"], { cwd });
    expect(niceIn(result.stdout)).toBe(Math.max(own, 10));
    // This process is left as it was: only the work it starts yields.
    expect(os.getPriority()).toBe(own);
  });

  it("starts them in its own session, not this process's (a terminal's Ctrl-C to this process's group does not reach them), whose scheduling group has their niceness; one that may ask a terminal for input gets a session of its own", async () => {
    // Fields 5 and 6 of /proc/<pid>/stat are the process group and the session; $$ is the command's own pid.
    const fieldsOf = (stat: string) => stat.split(") ")[1]!.split(" ");
    const ownFields = fieldsOf(fs.readFileSync("/proc/self/stat", "utf8"));
    const result = await transport.exec(["sh", "-c", "cat /proc/$$/stat"], { cwd });
    const spawnerPid = sharedSpawner()!.pid!;
    expect(Number(fieldsOf(result.stdout)[3])).toBe(spawnerPid);
    expect(fieldsOf(result.stdout)[3]).not.toBe(ownFields[3]);
    expect(fieldsOf(result.stdout)[2]).not.toBe(ownFields[2]);
    if (fs.existsSync("/proc/self/autogroup")) {
      const ownGroup = fs.readFileSync("/proc/self/autogroup", "utf8");
      // Under the kernel's autogroups a session is a scheduling group: the spawner's has the work
      // niceness (one per command would run each at 0, as heavy as this process's whole group).
      const group = await transport.exec(["sh", "-c", "cat /proc/$$/autogroup"], { cwd });
      expect(group.stdout.split(" ")[0]).toBe(fs.readFileSync(`/proc/${spawnerPid}/autogroup`, "utf8").split(" ")[0]);
      expect(group.stdout.split(" ")[0]).not.toBe(ownGroup.split(" ")[0]);
      // The kernel may refuse the write for 0.1 s after another one on the machine: tried again.
      await waitUntil(() => fs.readFileSync(`/proc/${spawnerPid}/autogroup`, "utf8").trim().endsWith(`nice ${Math.max(own, 10)}`), 6_000);
      // This process's own group is left as it was.
      expect(fs.readFileSync("/proc/self/autogroup", "utf8")).toBe(ownGroup);
    }
    const ownSession = await transport.exec(["sh", "-c", 'echo $$; cat /proc/$$/stat; exec 3</dev/tty && echo has-a-terminal'], { cwd, ownSession: true });
    const [pid, stat] = ownSession.stdout.split("\n");
    expect(Number(fieldsOf(stat!)[3])).toBe(Number(pid));
    expect(ownSession.stdout).not.toContain("has-a-terminal");
  });

  it("a terminal's Ctrl-C (SIGINT to the server's whole process group) leaves the command in flight to finish", async () => {
    const { spawn } = await import("node:child_process");
    const dir = fs.mkdtempSync(path.join(tmpdir(), "spawner-ctrl-c-"));
    try {
      const marker = path.join(dir, "started");
      // A process group of its own, as a shell's job: the terminal signals the whole group.
      const server = spawn(process.execPath, ["--import", "tsx", path.join("tests", "fixtures", "terminal-server.ts"), marker, "1"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"], detached: true });
      let output = "";
      server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
      await waitUntil(() => fs.existsSync(marker), 20_000);
      process.kill(-server.pid!, "SIGINT");
      expect(await exited).toBe(0);
      const outcome = JSON.parse(output.trim()) as { exitCode: number | null; signal: string | null; lost: boolean; stdout: string; signals: string[] };
      // The server got the signal; the command and the spawner did not.
      expect(outcome.signals).toEqual(["SIGINT"]);
      expect(outcome).toMatchObject({ exitCode: 0, signal: null, lost: false, stdout: "finished\n" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a timeout ends the command and every process it started, none of them a group of their own", async () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), "ai-slave-tree-"));
    try {
      const script = `sleep 30 & echo $! > ${dir}/child; sh -c 'sleep 30 & echo $! > ${dir}/grandchild; wait' & wait`;
      // Long enough for both pid files on a busy machine.
      const result = await transport.exec(["sh", "-c", script], { cwd, timeoutMs: 2_000 });
      expect(result.exitCode).toBeNull();
      expect(result.stderr).toContain("timed out after 2000 ms");
      const pids = ["child", "grandchild"].map((name) => Number(fs.readFileSync(path.join(dir, name), "utf8")));
      for (const pid of pids) expect(pid).toBeGreaterThan(0);
      await waitUntil(() => pids.every((pid) => !isProcessRunning(pid)), 3_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("streams a command's output as it comes, in order, and close() ends it", async () => {
    const spawner = sharedSpawner()!;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const finished = spawner.stream({ argv: ["sh", "-c", "seq 1 20000; echo oops >&2"], cwd, env: process.env, drainMs: 2_000 }, { onStdout: (chunk) => out.push(chunk), onStderr: (chunk) => err.push(chunk) });
    expect((await finished.exited).exitCode).toBe(0);
    expect(Buffer.concat(out).toString()).toBe(`${Array.from({ length: 20000 }, (_, index) => index + 1).join("\n")}\n`);
    expect(Buffer.concat(err).toString()).toBe("oops\n");

    const lines: string[] = [];
    const endless = spawner.stream({ argv: ["sh", "-c", "while :; do echo tick; sleep 0.05; done"], cwd, env: process.env, drainMs: 2_000 }, { onStdout: (chunk) => lines.push(chunk.toString()), onStderr: () => undefined });
    while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    endless.close();
    const ended = await endless.exited;
    expect(ended.exitCode).toBeNull();
    expect(ended.signal).toBe("SIGKILL");
  });

  it("when it dies mid-command, the command resolves as lost (never hangs) and the next one starts a new spawner", async () => {
    await transport.exec(["true"], { cwd });
    const spawner = sharedSpawner()!;
    const first = spawner.pid!;
    const running = transport.exec(["sleep", "5"], { cwd });
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(first, "SIGKILL");
    const lost = await running;
    expect(lost.exitCode).toBeNull();
    expect(lost.stderr).toContain("the spawner) exited");
    const next = await transport.exec(["sh", "-c", "echo $PPID"], { cwd });
    expect(next.exitCode).toBe(0);
    expect(spawner.pid).not.toBe(first);
    expect(Number(next.stdout.trim())).toBe(spawner.pid);
  });
});

describe("the spawner once the server is gone", () => {
  it("lets a short command finish, ends a long one and its tree with SIGTERM after the grace, then exits", async () => {
    const { spawn } = await import("node:child_process");
    const dir = fs.mkdtempSync(path.join(tmpdir(), "spawner-orphans-"));
    const spawner = spawn(process.execPath, [path.join(process.cwd(), "server", "exec", "spawner.cjs")], { stdio: ["pipe", "pipe", "inherit"] });
    spawner.stdout!.resume();
    const request = (id: number, script: string, name: string) =>
      spawner.stdin!.write(`${JSON.stringify({ id, argv: ["sh", "-c", script, name], cwd: dir, env: process.env, capBytes: 1024, drainMs: 100 })}\n`);
    const marker = `61.${process.pid}${Date.now() % 1000}`;
    request(1, `sleep 0.5; echo done > ${dir}/short`, "short-command");
    request(2, `trap 'echo term > ${dir}/long; kill $!; exit 0' TERM; sleep ${marker} & wait`, `long-${marker}`);
    await waitUntil(() => processesWith(marker).length === 2, 5_000);
    const exited = new Promise<number | null>((resolve) => spawner.once("exit", resolve));
    // The server exits: the spawner's stdin closes.
    spawner.stdin!.end();
    const code = await exited;
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "short"), "utf8")).toBe("done\n");
    // Told with SIGTERM (its trap ran), and nothing of its tree left.
    expect(fs.readFileSync(path.join(dir, "long"), "utf8")).toBe("term\n");
    await waitUntil(() => processesWith(marker).length === 0, 3_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("LocalTransport.pathExists", () => {
  const transport = new LocalTransport();

  it("tells existing from missing paths", async () => {
    expect(await transport.pathExists(cwd)).toBe(true);
    expect(await transport.pathExists("/ai-slave-no-such-path")).toBe(false);
  });
});

/**
 * Detached runs on this machine, the way every agent runs: a real tmux server of this file's own,
 * real process trees. The follower delivers every line once, a re-attach continues from saved
 * offsets, terminate ends the whole tree (also a child that left the agent's process group), and
 * a run whose tmux vanished without an exit status says so.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnDetached, type DetachedProcess, type ScriptHost } from "@/server/exec/detached";
import { localScriptHost } from "@/server/exec/local-scripts";
import { detachedFiles, runScript } from "@/server/exec/detached-scripts";
import { LocalTransport } from "@/server/exec/local";
import { isProcessRunning, processesWith } from "../../unit/exec/process-liveness";

let dir: string;
const transport = new LocalTransport();

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, handlers: { onStdoutLine: (line: string) => out.push(line), onStderrLine: (line: string) => err.push(line) } };
}

async function launch(name: string, script: string, env: Record<string, string> = {}, nice?: number): Promise<{ process: DetachedProcess; lines: ReturnType<typeof collect>; logPath: string }> {
  const lines = collect();
  const logPath = path.join(dir, ".ai-slave", "task-1", `${name}.log`);
  const process = await transport.spawnDetached(["sh", "-c", script], { cwd: dir, env: { PATH: globalThis.process.env.PATH!, ...env }, stdin: "the prompt\n", sessionName: `test-${name}`, logPath, nice, ...lines.handlers });
  return { process, lines, logPath };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-detached-"));
  process.env.TMUX_TMPDIR = dir;
});
afterAll(() => {
  try {
    execFileSync("tmux", ["kill-server"], { env: process.env, stdio: "ignore" });
  } catch {
    // None left.
  }
  delete process.env.TMUX_TMPDIR;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("detached runs on this machine", () => {
  it("run in tmux with the prompt on stdin and exactly the given environment, every line delivered once", async () => {
    // A value with lines, quotes, backslashes and spaces at both ends, and one shaped like the launch's end-of-environment marker.
    const tricky = "  first line 'single' \"double\" \\back\\ $HOME `id`\n\nAI-SLAVE-ENV-END-00000000000000000000000000000000\n\tlast \\";
    const { process: run, lines, logPath } = await launch("plain", 'read -r p; echo "got: $p"; echo "secret=$SECRET home=${HOME:-unset}"; printf %s "$TRICKY" > tricky.out; for i in 1 2 3; do echo "line $i"; done; echo oops >&2; exit 3', { SECRET: "s3cr3t", TRICKY: tricky });
    expect(run.pid).toBeGreaterThan(0);
    const exit = await run.exited;
    expect(exit).toEqual({ exitCode: 3, signal: null });
    expect(lines.out).toEqual(["got: the prompt", "secret=s3cr3t home=unset", "line 1", "line 2", "line 3"]);
    expect(lines.err).toEqual(["oops"]);
    expect(fs.readFileSync(path.join(dir, "tricky.out"), "utf8")).toBe(tricky);
    // The run folder is private, and the environment file is gone once read.
    const runDir = path.dirname(logPath);
    expect(fs.statSync(runDir).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(logPath.replace(/\.log$/, ".env"))).toBe(false);
    expect(fs.readFileSync(logPath.replace(/\.log$/, ".exit"), "utf8").trim()).toBe("3");
  });

  it("runs the agent at the niceness asked for, under the pid it reported", async () => {
    // Field 19 of /proc/<pid>/stat is the niceness; the fields after the command's ")" start at 3.
    const niceOf = (pid: number | string) => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]);
    const own = niceOf("self");
    const { process: run, lines } = await launch("nice", 'echo "pid $$"; sleep 0.3', {}, 10);
    const exit = await run.exited;
    expect(exit.exitCode).toBe(0);
    expect(lines.out).toEqual([`pid ${run.pid}`]);
    // At 10 itself, not 10 more than where it starts: the tmux server, started by the spawner,
    // runs at AI_SLAVE_WORK_NICE (10) already.
    const { process: again } = await launch("nice-stat", "sleep 2", {}, 10);
    expect(niceOf(again.pid!)).toBe(Math.max(own, 10));
    // The tmux server the agent's shell came from, up its parents: at 10, from the spawner.
    const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    let tmux = again.pid!;
    while (tmux > 1 && !fs.readFileSync(`/proc/${tmux}/comm`, "utf8").startsWith("tmux")) tmux = parentOf(tmux);
    expect(tmux).toBeGreaterThan(1);
    expect(niceOf(tmux)).toBe(Math.max(own, 10));
    await again.terminate(500);
  });

  it("puts each agent's session (its CPU autogroup) at the niceness too, also for an unprivileged user whose writes the kernel throttles", async () => {
    // Each agent is a session of its own (setsid), and with autogroup scheduling a session's CPU
    // share follows its group's niceness, not its processes': without the group's, a nice-10 agent
    // took as much CPU as the whole server.
    // Four at once as a user without CAP_SYS_ADMIN (nobody, when this runs as root): the kernel
    // takes one autogroup write per 0.1 s from such users and refuses the rest, so the launcher
    // tries again in the background.
    const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const runs = [0, 1, 2, 3].map((index) => {
      const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-autogroup-"));
      fs.chmodSync(runDir, 0o777);
      const files = detachedFiles(path.join(runDir, "run-1.log"));
      fs.writeFileSync(files.env, "", { mode: 0o666 });
      fs.writeFileSync(files.prompt, "", { mode: 0o666 });
      const script = path.join(runDir, "run.sh");
      fs.writeFileSync(script, runScript(files, ["sh", "-c", "sleep 1; cat /proc/self/autogroup"], runDir, false, 10), { mode: 0o644 });
      return { runDir, files, script };
    });
    await Promise.all(runs.map((run) => new Promise<void>((resolve, reject) => {
      execFile(asUser[0] ?? "sh", [...asUser.slice(1), ...(asUser.length ? ["sh"] : []), run.script], (error) => (error ? reject(error) : resolve()));
    })));
    const groups = runs.map((run) => fs.readFileSync(run.files.out, "utf8").trim());
    // Whether a new session gets a group of its own here, asked the same way without the
    // launcher: most kernels do; a process the kernel puts in no group shows an empty file.
    const control = await new Promise<string>((resolve, reject) => {
      execFile("setsid", ["-w", "sh", "-c", "cat /proc/self/autogroup"], (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
    });
    if (/^\/autogroup-\d+ nice 0$/.test(control)) {
      for (const group of groups) expect(group).toMatch(/^\/autogroup-\d+ nice 10$/);
      // Four sessions, four groups.
      expect(new Set(groups).size).toBe(4);
    } else {
      // No groups: the launcher's write changes nothing, and the agents ran as usual.
      expect(control).toBe("");
      expect(groups).toEqual(["", "", "", ""]);
      for (const run of runs) expect(fs.readFileSync(run.files.exit, "utf8").trim()).toBe("0");
    }
    for (const run of runs) fs.rmSync(run.runDir, { recursive: true, force: true });
  });

  it("re-attaches from saved offsets: the lines after them, none twice", async () => {
    const { process: first, lines, logPath } = await launch("reattach", "echo one; echo two; sleep 1.5; echo three; echo four");
    await until("the first lines", () => lines.out.length >= 2);
    const offsets = first.offsets();
    first.detach();
    const later = collect();
    const second = transport.reattach({ logPath, offsets, ...later.handlers });
    expect((await second.exited).exitCode).toBe(0);
    expect([...lines.out, ...later.out]).toEqual(["one", "two", "three", "four"]);
    // A parser's state is rebuilt from what came before the offsets.
    const replayed = collect();
    await transport.replayLogs(logPath, offsets, replayed.handlers);
    expect(replayed.out).toEqual(["one", "two"]);
  });

  it("terminate ends the whole process tree, a child in a session of its own too", async () => {
    const pidFile = path.join(dir, "escaped.pid");
    const { process: run } = await launch("tree", `setsid sh -c 'echo $$ > ${pidFile}; trap "" TERM; sleep 300' & sleep 300 & trap '' TERM; wait`);
    const escaped = await until("the escaped child", () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : null));
    expect(isProcessRunning(escaped)).toBe(true);
    const started = Date.now();
    await run.terminate(500);
    const exit = await run.exited;
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(exit.exitCode === null || exit.exitCode >= 128).toBe(true);
    await until("the escaped child to die", () => !isProcessRunning(escaped));
  });

  it("terminate leaves nothing of a tree that keeps starting processes: it is frozen before it is listed and killed", async () => {
    // A child in a session of its own starts a process every 10 ms (as a watcher or a shell loop
    // may). Listed while it runs, the processes it started after the listing would be left.
    const marker = `31.${process.pid}1`;
    const pidFile = path.join(dir, "forker.pid");
    const { process: run } = await launch("forker", `setsid sh -c 'echo $$ > ${pidFile}; trap "" TERM; while :; do sleep ${marker} & sleep 0.01; done' & trap '' TERM; wait`);
    await until("the forker's processes", () => fs.existsSync(pidFile) && processesWith(marker).length >= 50);
    await run.terminate(300);
    await run.exited;
    expect(processesWith(marker)).toEqual([]);
  });

  it("terminate ends a child in a session of its own that ignored SIGTERM also when the agent itself ended at it", async () => {
    // The agent ends at SIGTERM; its child, in a session of its own, ignores it and is init's child
    // now: no listing from the agent finds it. The tree seen at SIGTERM is kept for the SIGKILL.
    const marker = `32.${process.pid}2`;
    const { process: run } = await launch("orphan", `setsid sh -c 'trap "" TERM; sleep ${marker}' & wait`);
    await until("the child", () => processesWith(marker).length > 0);
    await run.terminate(300);
    await run.exited;
    await until("the child to die", () => processesWith(marker).length === 0, 5_000);
  });

  it("says the status is missing when the run script died without writing one (tmux killed, host rebooted)", async () => {
    const { process: run, logPath } = await launch("vanished", "sleep 300");
    const base = logPath.replace(/\.log$/, "");
    const scriptPid = Number(fs.readFileSync(`${base}.pid`, "utf8"));
    const agentPid = Number(fs.readFileSync(`${base}.agent-pid`, "utf8"));
    process.kill(scriptPid, "SIGKILL");
    process.kill(-agentPid, "SIGKILL");
    expect(await run.exited).toEqual({ exitCode: null, signal: null, statusMissing: true });
  });

  /** Runs `body` with every sleep, cat, timeout and tail started meanwhile counted by a wrapper first on PATH. */
  async function counting(body: () => Promise<void>): Promise<string[]> {
    const bin = path.join(dir, "counting-bin");
    const counted = path.join(dir, "counted.log");
    fs.rmSync(counted, { force: true });
    fs.mkdirSync(bin, { recursive: true });
    for (const name of ["sleep", "cat", "timeout", "tail"]) {
      const real = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8", env: { ...process.env, PATH: process.env.PATH!.split(":").filter((entry) => entry !== bin).join(":") } }).trim();
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho ${name} >> '${counted}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    }
    const pathBefore = process.env.PATH;
    process.env.PATH = `${bin}:${pathBefore}`;
    try {
      await body();
    } finally {
      process.env.PATH = pathBefore;
    }
    return fs.existsSync(counted) ? fs.readFileSync(counted, "utf8").trim().split("\n").filter(Boolean) : [];
  }

  const FOUR_SECONDS = `echo start; ${JSON.stringify(globalThis.process.execPath)} -e "setTimeout(() => console.log('end'), 4000)"`;

  it("following a run on this machine starts no process: the server reads the logs and the exit status itself", async () => {
    const started = await counting(async () => {
      const { process: run, lines } = await launch("quiet", FOUR_SECONDS);
      expect(await run.exited).toEqual({ exitCode: 0, signal: null });
      expect(lines.out).toEqual(["start", "end"]);
    });
    // The server wrote the run's files, reads its logs and its exit status itself: no tail, cat, sleep or timeout at all.
    expect(started).toEqual([]);
  });

  it("the follow script (what other machines run) starts a few processes, not five a second: the waiter waits in one tail --pid between its checks", async () => {
    // This machine's scripts without its own log reader: the path every SSH host and container takes.
    const scriptsOnly: ScriptHost = { ...localScriptHost, readLogs: undefined };
    const lines = collect();
    const started = await counting(async () => {
      const run = await spawnDetached(scriptsOnly, ["sh", "-c", FOUR_SECONDS], {
        cwd: dir, env: { PATH: globalThis.process.env.PATH! }, stdin: "", sessionName: "test-scripts", logPath: path.join(dir, ".ai-slave", "task-1", "scripts.log"), ...lines.handlers,
      });
      expect(await run.exited).toEqual({ exitCode: 0, signal: null });
    });
    expect(lines.out).toEqual(["start", "end"]);
    // Two tails following the logs, two catching up, and a timeout (with its tail) every 2 s;
    // a waiter sleeping 0.2 s between checks would have started 20 sleeps and 20 cats.
    expect(started.length, started.join(" ")).toBeLessThanOrEqual(14);
  });

  it("delivers a line while the run goes on, not only once it ended", async () => {
    const go = path.join(dir, "go");
    // The agent waits (10 s at most) for a file the test makes only after it saw the first line.
    const { process: run, lines } = await launch("live", `echo ready; i=0; while [ ! -e ${JSON.stringify(go)} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; [ -e ${JSON.stringify(go)} ] && echo saw-go`);
    await until("the first line, while the run waits", () => lines.out.includes("ready"), 8_000);
    fs.writeFileSync(go, "");
    expect(await run.exited).toEqual({ exitCode: 0, signal: null });
    expect(lines.out).toEqual(["ready", "saw-go"]);
  });
});


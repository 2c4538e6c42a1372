/**
 * The ScriptHost of this machine: detached runs' scripts run under `sh` here, with a small
 * environment of their own, so the tmux server they may start holds no API key (the agent's
 * environment reaches it through the run's 0600 env file only).
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import type { ChunkHandlers, ScriptHost, ScriptStream } from "./detached";
import { signalGroup } from "./process-group";
import type { ExecResult } from "./transport";
import { toExecResult } from "./local-exec";
import { DEFAULT_MAX_OUTPUT_BYTES } from "./output-cap";
import { sharedSpawner } from "./spawner";
import { waitForAgentPid, writeRunFiles } from "./local-run-files";
import { readExitStatus, readRunLogs } from "./local-follow";

/** What the scripts and tmux need from the server's environment; TMUX_TMPDIR picks the tmux server. */
const SCRIPT_ENV_NAMES = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TMPDIR", "TMUX_TMPDIR"];

function scriptEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(SCRIPT_ENV_NAMES.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]])) as NodeJS.ProcessEnv;
}

function startScript(script: string, args: string[], stdin: string | undefined): ChildProcess {
  const stdio: StdioOptions = [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"];
  const child = spawn("sh", ["-c", script, ...args], { cwd: "/", env: scriptEnv(), stdio, detached: true });
  if (stdin !== undefined && child.stdin) {
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  }
  return child;
}

function stopGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    signalGroup(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** After the script exited, how long its output pipes may stay open (a daemon that kept them). */
const DRAIN_MS = 2_000;

export const localScriptHost: ScriptHost = {
  exactEnv: true,
  runFiles: { write: writeRunFiles, agentPid: waitForAgentPid },
  runScriptArgv: (scriptPath) => ["sh", scriptPath],
  readLogs: readRunLogs,
  exitStatus: readExitStatus,
  async runScript(script, args, options = {}) {
    const spawner = sharedSpawner();
    if (!spawner) return runScriptInProcess(script, args, options);
    const argv = ["sh", "-c", script, ...args];
    const outcome = await spawner.run({ argv, cwd: "/", env: scriptEnv(), stdin: options.stdin, timeoutMs: options.timeoutMs, capBytes: DEFAULT_MAX_OUTPUT_BYTES, drainMs: DRAIN_MS });
    if (outcome.startError) throw new Error(`sh: cannot start: ${outcome.startError.message}`);
    return toExecResult(outcome, argv, { cwd: "/", timeoutMs: options.timeoutMs }, DEFAULT_MAX_OUTPUT_BYTES);
  },
  async streamScript(script: string, args: string[], handlers: ChunkHandlers): Promise<ScriptStream> {
    const spawner = sharedSpawner();
    if (spawner) {
      const stream = spawner.stream({ argv: ["sh", "-c", script, ...args], cwd: "/", env: scriptEnv(), drainMs: DRAIN_MS }, handlers);
      // A start failure or a spawner that died is a lost stream: the follower reads the file again.
      const exited = stream.exited.then((outcome) => ({ exitCode: outcome.exitCode, lost: Boolean(outcome.startError || outcome.lost) }));
      return { exited, close: stream.close };
    }
    const child = startScript(script, args, undefined);
    child.stdout!.on("data", handlers.onStdout);
    child.stderr!.on("data", handlers.onStderr);
    const exited = new Promise<{ exitCode: number | null; lost: boolean }>((resolve) => {
      child.once("error", () => resolve({ exitCode: null, lost: true }));
      child.once("close", (code: number | null) => resolve({ exitCode: code, lost: false }));
    });
    return { exited, close: () => stopGroup(child.pid) };
  },
};

/** runScript without the spawner (AI_SLAVE_SPAWNER=off). */
function runScriptInProcess(script: string, args: string[], options: { stdin?: string; timeoutMs?: number }): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const child = startScript(script, args, options.stdin);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stopGroup(child.pid), options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code: number | null) => {
      clearTimeout(timer);
      resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}

import "server-only";
import path from "node:path";
import type { Backend } from "@/lib/enums";
import { db } from "@/server/db/client";
import type { DetachedProcess, DetachedTransport, LineHandlers } from "@/server/exec/ssh-detached";
import type { SpawnedProcess } from "@/server/exec/transport";
import { getSetting } from "@/server/settings";
import { DETACHED, type ActiveRun } from "./active-runs";
import type { AgentProcessOptions } from "./agent-process";
import type { RunLogWriter } from "./log-writer";
import { removeCheckpoint, saveCheckpoint, type RemoteRunCheckpoint } from "./remote-checkpoint";

/**
 * Agent runs on SSH hosts and in containers: the agent lives in the task's tmux session on the
 * remote side, writing its output to log files the server follows, so neither a network drop
 * nor a server restart ends it. Progress is checkpointed for the restart (remote-checkpoint.ts).
 */

const CHECKPOINT_INTERVAL_MS = 1_000;

/** The task's tmux session, which the browser terminal attaches to as well. */
export function taskSessionName(taskId: number): string {
  return `ai-slave-task-${taskId}`;
}

/** The task's metadata folder on the remote side: beside the worktree, `.ai-slave/task-<id>/`. */
export function remoteTaskDir(worktreePath: string, taskId: number): string {
  return path.posix.join(path.posix.dirname(worktreePath), ".ai-slave", `task-${taskId}`);
}

/** The run's stdout log on the remote side, in the task's metadata folder. */
export function remoteLogPath(worktreePath: string, taskId: number, runId: number): string {
  return path.posix.join(remoteTaskDir(worktreePath, taskId), `run-${runId}.log`);
}

/** Where the CLI lives on a remote workspace: a per-workspace setting, else its name on the login PATH. */
export async function remoteCliPath(workspaceId: number, backend: Backend, cliName: string): Promise<string> {
  return (await getSetting<string | null>(`remoteCliPath.${workspaceId}.${backend}`, null)) ?? cliName;
}

const FORWARDED_PREFIXES = ["ANTHROPIC_", "CLAUDE_", "OPENAI_", "CODEX_", "DISABLE_"];
const FORWARDED_NAMES = ["AI_SLAVE_TASK_ID", "AI_SLAVE_RUN_ID", "CUDA_VISIBLE_DEVICES", "IS_SANDBOX"];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The part of the agent's environment that goes to the remote host: the agents' own settings
 * (API keys, base URLs, config dirs), the run's ids and GPUs, and whatever AI_SLAVE_REMOTE_ENV
 * names. Not PATH, HOME or the rest of the server's environment: the remote login shell sets those.
 */
export function remoteAgentEnv(env: Record<string, string>, extraNames = process.env.AI_SLAVE_REMOTE_ENV ?? ""): Record<string, string> {
  const extra = new Set(extraNames.split(",").map((name) => name.trim()).filter(Boolean));
  const forwarded = (name: string) => FORWARDED_NAMES.includes(name) || extra.has(name) || FORWARDED_PREFIXES.some((prefix) => name.startsWith(prefix));
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => ENV_NAME.test(name) && value !== undefined && forwarded(name)));
}

/**
 * Wraps a followed run: checkpoints it every second; stopping for a server shutdown (the run is
 * marked interrupted) leaves the agent running and saves a last checkpoint instead of killing it.
 */
export function checkpointed(follower: DetachedProcess, checkpoint: RemoteRunCheckpoint, writer: RunLogWriter, active: ActiveRun): SpawnedProcess {
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    // Offsets and seq are taken together, synchronously: the lines up to the offsets made exactly these events.
    const snapshot: RemoteRunCheckpoint = { ...checkpoint, offsets: follower.offsets(), seq: writer.lastSeq };
    saving = saving.then(async () => {
      await writer.flush();
      await saveCheckpoint(snapshot);
    }).catch((error: unknown) => console.error(`[run ${checkpoint.runId}] saving the remote checkpoint failed`, error));
    return saving;
  };
  const timer = setInterval(() => void save(), CHECKPOINT_INTERVAL_MS);
  timer.unref();
  // No save may land after the end: removing the checkpoint then would not stick.
  const exited = follower.exited.then(async (exit) => {
    clearInterval(timer);
    await saving;
    return exit;
  });
  const wrapped: SpawnedProcess & { [DETACHED]: true } = {
    [DETACHED]: true,
    pid: undefined,
    exited,
    async terminate(graceMs: number) {
      if (!active.interrupted) return follower.terminate(graceMs);
      clearInterval(timer);
      follower.detach();
      await save();
    },
  };
  return wrapped;
}

export interface RemoteAgentIds {
  taskId: number;
  runId: number;
}

/** Starts the agent in the task's tmux session and follows it (agent-process.ts for remote workspaces). */
export async function startRemoteAgent(options: AgentProcessOptions & { transport: DetachedTransport; run: RemoteAgentIds }, handlers: LineHandlers): Promise<SpawnedProcess> {
  const { transport, run, writer, active } = options;
  const sessionName = taskSessionName(run.taskId);
  const logPath = remoteLogPath(options.cwd, run.taskId, run.runId);
  writer.append([{ kind: "system", message: `Starting the agent in tmux session ${sessionName} on the workspace's host; its output goes to ${logPath}.` }]);
  await writer.flush();
  const checkpoint: RemoteRunCheckpoint = {
    runId: run.runId,
    taskId: run.taskId,
    sessionName,
    logPath,
    offsets: { stdout: 0, stderr: 0 },
    seq: writer.lastSeq,
    previousCumulative: options.previousCumulative,
    deadline: new Date(Date.now() + options.timeoutMs).toISOString(),
  };
  // Saved before the agent starts: a restart from here on finds the run and re-attaches.
  await saveCheckpoint(checkpoint);
  await db().run.update({ where: { id: run.runId }, data: { tmuxSession: sessionName } });
  const follower = await transport.spawnDetached(options.command.argv, {
    cwd: options.cwd,
    env: remoteAgentEnv(options.env),
    stdin: options.command.stdin,
    sessionName,
    logPath,
    ...handlers,
  });
  // Once the outcome is recorded the checkpoint has served; a shutdown's detach never gets here.
  void active.done.then(() => removeCheckpoint(run.runId));
  return checkpointed(follower, checkpoint, writer, active);
}

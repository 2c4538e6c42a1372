import "server-only";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { db } from "@/server/db/client";
import { processSingleton } from "@/server/singleton";

/**
 * Names and places of a task's detached runs, the same on every machine: the task's tmux session
 * and its run folder beside the worktree.
 */

const SERVER_ID_KEY = "serverId";

/**
 * A short random id of this server's database, made once and kept in it, so two AI-Slave servers
 * (two databases) that share a host never use each other's tmux sessions.
 */
export function serverId(): Promise<string> {
  return processSingleton("server-id", async () => {
    const candidate = JSON.stringify(randomBytes(4).toString("hex"));
    // Whoever inserts first wins; everyone reads the stored one.
    await db().setting.upsert({ where: { key: SERVER_ID_KEY }, create: { key: SERVER_ID_KEY, value: candidate }, update: {} });
    const row = await db().setting.findUniqueOrThrow({ where: { key: SERVER_ID_KEY } });
    return JSON.parse(row.value) as string;
  });
}

/** The task's tmux session, which the browser terminal attaches to as well. */
export async function taskSessionName(taskId: number): Promise<string> {
  return `ai-slave-${await serverId()}-task-${taskId}`;
}

/** The task's run folder on its machine: beside the worktree, `.ai-slave/task-<id>/`. */
export function taskRunDir(worktreePath: string, taskId: number): string {
  return path.posix.join(path.posix.dirname(worktreePath), ".ai-slave", `task-${taskId}`);
}

/** One launch's stdout log in the run folder; a run's second launch (a fresh session) gets its own. */
export function runLogPath(worktreePath: string, taskId: number, runId: number, attempt = 1): string {
  return path.posix.join(taskRunDir(worktreePath, taskId), attempt === 1 ? `run-${runId}.log` : `run-${runId}.${attempt}.log`);
}

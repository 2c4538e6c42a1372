import "server-only";
import fs from "node:fs";
import { db } from "@/server/db/client";
import { localTransport } from "@/server/exec/transport-for";
import { commitAll } from "@/server/git/commit";
import { services } from "@/server/services";
import { reattachRemoteRuns } from "./remote-reattach";

import { INTERRUPTED_REASON as RESTART_REASON } from "./verdict";

/** True when pid is alive and is an agent this server started for that run. */
export function isOurAgentProcess(pid: number, runId: number): boolean {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    return environ.split("\0").includes(`AI_SLAVE_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * At start no task may stay RUNNING: a run of the previous server process is over. Its orphaned
 * agent is killed, what it left in the worktree is committed, and task and run are marked FAILED
 * with the log kept.
 */
export async function reconcileInterruptedRuns(): Promise<number> {
  const runs = await db().run.findMany({ where: { status: "RUNNING" }, include: { task: { include: { workspace: true } } } });
  // Remote agents live on in tmux: those runs are followed again, not failed (remote-reattach.ts).
  const reattached = await reattachRemoteRuns(runs);
  for (const run of runs) {
    if (reattached.has(run.taskId)) continue;
    if (run.pid && isOurAgentProcess(run.pid, run.id)) killGroup(run.pid);
    if (run.task.worktreePath && fs.existsSync(run.task.worktreePath)) {
      await commitAll(localTransport(), { cwd: run.task.worktreePath, message: `AI-Slave: task #${run.task.number}, run ${run.id} (interrupted by server restart)`, noVerify: true }).catch(
        (error: unknown) => console.error(`[reconcile] committing run ${run.id}'s worktree failed`, error),
      );
    }
    await db().run.update({ where: { id: run.id }, data: { status: "FAILED", errorClass: "UNKNOWN", errorMessage: RESTART_REASON, endedAt: new Date() } });
  }
  const stuck = await db().task.findMany({ where: { status: "RUNNING", id: { notIn: [...reattached] } } });
  for (const task of stuck) {
    await db().task.update({ where: { id: task.id }, data: { status: "FAILED", failureReason: RESTART_REASON, finishedAt: new Date() } });
    services().bus.publishBoard({ type: "task.finished", taskId: task.id, workspaceId: task.workspaceId, status: "FAILED" });
  }
  return stuck.length;
}

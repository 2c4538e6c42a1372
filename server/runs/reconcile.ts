import "server-only";
import { requirePlaced, requirePlacedWith } from "@/server/lifecycle/placed";
import fs from "node:fs";
import type { Backend } from "@/lib/enums";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { Run } from "@/server/db/generated/client";
import { RunLogWriter } from "@/server/events/log-writer";
import { transportFor } from "@/server/exec/transport-for";
import { requeueUnstarted } from "@/server/lifecycle/task-state";
import { loadRunAccount } from "@/server/accounts/service";
import { services } from "@/server/services";
import { whileActive } from "./active-runs";
import { loadCheckpoint, type RunCheckpoint } from "./checkpoint";
import { autoRetryDelay, recordRunOutcome } from "./finish";
import { adapterOf, superviseResumedRun, type TaskWithWorkspace } from "./supervisor";

/** Why a run that had not launched its agent when the server stopped is over. */
export const NOT_STARTED_REASON = "The server stopped before the agent started; nothing ran.";

/** On the card of a task queued again because the server stopped before its run was made. */
export const REQUEUED_REASON = "Queued again: the server stopped while this task waited for its turn to start; nothing had run.";

type RunWithTask = Run & { task: TaskWithWorkspace };

/**
 * At start, every run still RUNNING is taken over: its agent lives on in its tmux session, on
 * this machine or another, and is followed again from its checkpoint (its log continues with no
 * gap and no duplicate), then finished normally. A run whose agent never started is FAILED with
 * the reason and its task retried automatically (nothing ran), within the retries in a row that
 * AI_SLAVE_RETRY_DELAYS allows; a task claimed whose run was not made yet is queued again.
 * Returns the counts (`retried`: of the `failed`, those whose task will run again by itself).
 */
export async function reconcileRuns(): Promise<{ reattached: number; failed: number; retried: number; requeued: number }> {
  const rows = await db().run.findMany({ where: { status: "RUNNING" }, include: { task: { include: { workspace: true } } } });
  // A run's task is always placed (the claim places a pool task before its run is made).
  const runs = rows.map((run) => ({ ...run, task: requirePlacedWith(run.task) }));
  let reattached = 0;
  let failed = 0;
  let retried = 0;
  for (const run of runs) {
    const checkpoint = await loadCheckpoint(run.id);
    if (checkpoint && run.task.status === "RUNNING") {
      reattached += 1;
      void resume(run, checkpoint);
    } else {
      failed += 1;
      if (await failUnstarted(run)) retried += 1;
    }
  }
  // Claimed, but stopped before its run was even made (waiting for its machine's turn): nothing
  // ran and nothing was made, so it is queued again in its place.
  const stuck = await db().task.findMany({ where: { status: "RUNNING", runs: { none: { status: "RUNNING" } } } });
  let requeued = 0;
  for (const task of stuck.map(requirePlaced)) {
    if (await requeueUnstarted({ taskId: task.id, workspaceId: task.workspaceId, reason: REQUEUED_REASON })) requeued += 1;
  }
  return { reattached, failed, retried, requeued };
}

async function resume(run: RunWithTask, stored: RunCheckpoint): Promise<void> {
  const adapter = adapterOf(run);
  // Checkpoints of servers before every run was detached lack these.
  const checkpoint: RunCheckpoint = { ...stored, attempt: stored.attempt ?? 1, bin: stored.bin ?? adapter.cliName };
  await whileActive(run.taskId, run.id, async (active) => {
    try {
      const { writer, storedPastCheckpoint } = await writerAfterStoredLog(run);
      const ctx = { task: run.task, run, transport: transportFor(run.task.workspace), adapter, writer, active, account: await loadRunAccount(run.accountId) };
      await superviseResumedRun(ctx, checkpoint, Math.max(0, storedPastCheckpoint - checkpoint.seq));
    } catch (error) {
      console.error(`[task ${run.taskId}] re-attaching run ${run.id} failed`, error);
    }
  });
  services().scheduler.poke("run finished");
}

/**
 * A writer that continues after everything stored, seqs and bytes as they are: what a client was
 * served before the restart stays exactly as it was. `storedPastCheckpoint` is the last stored
 * seq; the events past the checkpoint's seq are made again from the log files and skipped.
 */
async function writerAfterStoredLog(run: Run): Promise<{ writer: RunLogWriter; storedPastCheckpoint: number }> {
  const [{ seq, bytes }] = await db().$queryRawUnsafe<{ seq: number | bigint | null; bytes: number | bigint | null }[]>(
    `SELECT COALESCE(MAX("seq"), 0) AS "seq", COALESCE(SUM(LENGTH(CAST("data" AS BLOB))), 0) AS "bytes" FROM "RunLog" WHERE "runId" = ?`,
    run.id,
  );
  const start = { seq: Number(seq ?? 0), bytes: Number(bytes ?? 0), truncated: run.logTruncated };
  await db().run.update({ where: { id: run.id }, data: { logSeq: start.seq, logBytes: start.bytes } });
  return { writer: new RunLogWriter(run.id, services().bus, config().logCapBytes, start), storedPastCheckpoint: start.seq };
}

/** True when pid is alive and is an agent a server before detached local runs started for that run. */
function isOrphanedChild(pid: number, runId: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`AI_SLAVE_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}

/**
 * A run with no checkpoint never launched its agent (or was a child of a server before detached
 * runs). Nothing of the agent ran: a Ctrl-C, an upgrade or a crash while the worktree was made or
 * its setup ran is retried automatically, as a host out of reach before the start is. Returns
 * whether the task was queued for that retry (false: the retries in a row are used up, and the
 * task is FAILED for the user to retry).
 */
async function failUnstarted(run: RunWithTask): Promise<boolean> {
  if (run.pid && isOrphanedChild(run.pid, run.id)) {
    try {
      process.kill(-run.pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  const retryInMs = run.task.status === "RUNNING" ? await autoRetryDelay(run.taskId, run.kind) : null;
  const reason = retryInMs === null ? `${NOT_STARTED_REASON} Retry the task.` : NOT_STARTED_REASON;
  const writer = new RunLogWriter(run.id, services().bus, config().logCapBytes, { seq: run.logSeq, bytes: run.logBytes, truncated: run.logTruncated });
  writer.append([{ kind: "error", message: reason, fatal: true }]);
  if (retryInMs !== null) writer.append([{ kind: "system", message: `Retrying the task automatically in ${Math.round(retryInMs / 1000)} s.` }]);
  await writer.close().catch(() => undefined);
  await recordRunOutcome({
    taskId: run.taskId, workspaceId: run.task.workspaceId, runId: run.id, backend: run.backend as Backend, model: run.model, exitCode: null, verdict: null,
    final: { runStatus: "FAILED", errorClass: "UNKNOWN", reason, retryInMs },
    run: { kind: run.kind, prompt: run.prompt },
  });
  return retryInMs !== null;
}

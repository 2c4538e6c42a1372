import "server-only";
import type { Backend } from "@/lib/enums";
import { getAdapter } from "@/server/agents/registry";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { Run, Task, Workspace } from "@/server/db/generated/client";
import { isDetachedTransport, type DetachedTransport } from "@/server/exec/ssh-detached";
import { transportFor } from "@/server/exec/transport-for";
import { commitAll } from "@/server/git/commit";
import { taskBranchName } from "@/server/git/worktree";
import { services } from "@/server/services";
import { activeRuns, type ActiveRun } from "./active-runs";
import { recordRunOutcome } from "./finish";
import { RunLogWriter } from "./log-writer";
import { loadCheckpoint, removeCheckpoint, type RemoteRunCheckpoint } from "./remote-checkpoint";
import { lineRecorder } from "./line-recorder";
import { checkpointed } from "./remote-run";
import { finalVerdict, trailingAutoRetries } from "./verdict";

type RunWithTask = Run & { task: Task & { workspace: Workspace } };

const RETRY_MS = 5_000;

/**
 * At start, remote runs still RUNNING are picked up again instead of failed: their agents live
 * on in tmux. Each is registered as active at once (so cancel and the scheduler see it) and
 * followed in the background. Returns the ids of the tasks taken over; the caller treats every
 * other RUNNING run as interrupted.
 */
export async function reattachRemoteRuns(runs: RunWithTask[]): Promise<Set<number>> {
  const taken = new Set<number>();
  for (const run of runs) {
    if (run.task.workspace.type === "local" || !run.tmuxSession) continue;
    const checkpoint = await loadCheckpoint(run.id);
    if (!checkpoint) continue;
    const transport = transportFor(run.task.workspace);
    if (!isDetachedTransport(transport)) continue;
    taken.add(run.taskId);
    let markDone: () => void = () => undefined;
    const active: ActiveRun = { taskId: run.taskId, runId: run.id, cancelled: false, interrupted: false, process: null, done: new Promise((resolve) => (markDone = resolve)) };
    activeRuns().set(run.taskId, active);
    void resumeRun(run, checkpoint, transport, active)
      .catch((error: unknown) => console.error(`[task ${run.taskId}] re-attaching run ${run.id} failed`, error))
      .finally(() => {
        if (activeRuns().get(run.taskId) === active) activeRuns().delete(run.taskId);
        markDone();
        services().scheduler?.poke("run finished");
      });
  }
  return taken;
}

/** Drops what was stored past the checkpoint (it is read again from the remote log). */
async function writerFromCheckpoint(run: Run, checkpoint: RemoteRunCheckpoint): Promise<RunLogWriter> {
  await db().$executeRawUnsafe(`DELETE FROM "RunLog" WHERE "runId" = ? AND "seq" > ?`, run.id, checkpoint.seq);
  const [{ bytes }] = await db().$queryRawUnsafe<{ bytes: number | bigint | null }[]>(`SELECT COALESCE(SUM(LENGTH(CAST("data" AS BLOB))), 0) AS "bytes" FROM "RunLog" WHERE "runId" = ?`, run.id);
  const start = { seq: checkpoint.seq, bytes: Number(bytes ?? 0), truncated: run.logTruncated };
  await db().run.update({ where: { id: run.id }, data: { logSeq: start.seq, logBytes: start.bytes } });
  return new RunLogWriter(run.id, services().bus, config().logCapBytes, start);
}

/** Retries a step that needs the host until it works or the run is cancelled; false when cancelled. */
async function untilReachable(active: ActiveRun, step: () => Promise<void>): Promise<boolean> {
  for (;;) {
    if (active.cancelled) return false;
    try {
      await step();
      return true;
    } catch (error) {
      console.error(`[task ${active.taskId}] re-attaching: ${(error as Error).message}; retrying in ${RETRY_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function resumeRun(run: RunWithTask, checkpoint: RemoteRunCheckpoint, transport: DetachedTransport, active: ActiveRun): Promise<void> {
  const { task } = run;
  const adapter = getAdapter(run.backend as Backend);
  const writer = await writerFromCheckpoint(run, checkpoint);
  const parser = adapter.createParser();
  const usage = { sawUsage: false };
  // The parser's state (session id, usage, last result) is rebuilt from what it had already read.
  const replayed = await untilReachable(active, () => transport.replayLogs(checkpoint.logPath, checkpoint.offsets, lineRecorder(parser, null, usage)));
  writer.append([{ kind: "system", message: `The server restarted: re-attached to the agent in tmux session ${checkpoint.sessionName}; its log continues where it stopped.` }]);

  let timedOut = false;
  let exitCode: number | null = null;
  if (replayed) {
    const follower = transport.reattach({ logPath: checkpoint.logPath, offsets: checkpoint.offsets, ...lineRecorder(parser, writer, usage) });
    const child = checkpointed(follower, checkpoint, writer, active);
    active.process = child;
    if (active.cancelled) void child.terminate(config().cancelGraceMs);
    const timer = setTimeout(() => {
      timedOut = true;
      writer.append([{ kind: "system", message: `Time limit of ${Math.round(task.workspace.taskTimeoutSec)} s reached: stopping the agent.` }]);
      void child.terminate(config().cancelGraceMs);
    }, Math.max(0, Date.parse(checkpoint.deadline) - Date.now()));
    exitCode = (await child.exited.finally(() => clearTimeout(timer))).exitCode;
    active.process = null;
  }
  const verdict = parser.finish(exitCode, checkpoint.previousCumulative);
  if (!usage.sawUsage) writer.append([{ kind: "usage", usage: verdict.usage }]);
  await commitLeftovers(transport, run, writer);
  const earlier = await db().run.findMany({ where: { taskId: run.taskId, id: { lte: run.id } }, orderBy: { id: "asc" }, select: { kind: true } });
  const final = finalVerdict({
    verdict,
    timedOut,
    cancelled: active.cancelled,
    interrupted: active.interrupted,
    timeoutSec: task.workspace.taskTimeoutSec,
    autoRetries: trailingAutoRetries(earlier.map((entry) => entry.kind)),
    retryDelaysMs: config().retryDelaysMs,
  });
  await writer.close().catch(() => undefined);
  await recordRunOutcome({ taskId: run.taskId, workspaceId: task.workspaceId, runId: run.id, backend: run.backend as Backend, exitCode, verdict, final });
  await removeCheckpoint(run.id);
}

async function commitLeftovers(transport: DetachedTransport, run: RunWithTask, writer: RunLogWriter): Promise<void> {
  if (!run.task.worktreePath) return;
  try {
    const message = `AI-Slave: task #${run.task.number} (${taskBranchName(run.taskId)}), run ${run.id}\n\n${run.task.title}`;
    const sha = await commitAll(transport, { cwd: run.task.worktreePath, message, noVerify: true });
    if (sha) writer.append([{ kind: "system", message: `Committed the agent's uncommitted changes as ${sha.slice(0, 12)}.` }]);
  } catch (error) {
    writer.append([{ kind: "error", message: `Could not commit the agent's changes: ${(error as Error).message}`, fatal: false }]);
  }
}

import "server-only";
import { BACKEND_PROVIDER, type Backend, type PermissionMode } from "@/lib/enums";
import type { QuotaWindow } from "@/lib/schemas/quota";
import type { PromptHistoryEntry } from "@/lib/schemas/task";
import { getAdapter } from "@/server/agents/registry";
import type { AgentAdapter, RunVerdict } from "@/server/agents/types";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { Run, Task, Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import type { RunLogWriter } from "@/server/events/log-writer";
import type { DetachedExit, DetachedProcess } from "@/server/exec/detached";
import type { Transport } from "@/server/exec/transport";
import type { ActiveRun } from "./active-runs";
import { checkpointSaver, saveCheckpoint, removeCheckpoint, type RunCheckpoint } from "./checkpoint";
import type { RunAccount } from "@/server/accounts/service";
import { recordQuotaWindows } from "@/server/quota/service";
import { services } from "@/server/services";
import { agentEnvironment } from "./agent-env";
import { agentMcpConfigPath } from "./agent-mcp";
import { commitLeftovers, GIVEN_UP_HOST_BUDGET_MS } from "./commit-leftovers";
import { autoRetriesInARow, recordRunOutcome } from "./finish";
import { lineRecorder, skippingFirst } from "./line-recorder";
import { withHistory } from "./plan";
import { runLogPath, taskSessionName } from "./session";
import { finalVerdict, type FinalVerdict } from "./verdict";
import { permissionModeOf, resolveFinished, reviewFailed, verifyRun, writeReviewSchema, type AfterRun } from "./verification";

/**
 * The one supervisor of a run, whatever the machine: it launches the agent detached in the task's
 * tmux session (or takes over a run a previous server process launched), follows its log,
 * checkpoints how far it got, keeps the deadline, relays a cancel, then finishes the run: usage,
 * the commit of what the agent left, the verdict and the task's next state. The executor (a new
 * run) and the restart path (reconcile.ts) both end up here.
 */

export type TaskWithWorkspace = Task & { workspaceId: number; workspace: Workspace };

export interface RunContext {
  task: TaskWithWorkspace;
  run: Run;
  transport: Transport;
  adapter: AgentAdapter;
  writer: RunLogWriter;
  active: ActiveRun;
  /** The provider account the run uses; absent or null: the implicit default (the server's own environment). */
  account?: RunAccount | null;
}

/** Rate-limit windows reported while the agent runs go to its account at once (the finished run records them again). */
function liveWindows(ctx: RunContext): (windows: QuotaWindow[]) => void {
  return (windows) => {
    void recordQuotaWindows(BACKEND_PROVIDER[ctx.run.backend as Backend], ctx.run.accountId, windows)
      .then(() => services().scheduler.poke("quota windows"))
      .catch((error: unknown) => console.error(`[run ${ctx.run.id}] recording rate-limit windows failed`, error));
  };
}

/** What one launch of the agent is: its command's inputs and where its run stands. */
export interface LaunchSpec {
  bin: string;
  prompt: string;
  resumeSessionId?: string;
  previousCumulative: Record<string, number>;
  /** 1 for the run's first launch; a fresh session after a lost one is the next. */
  attempt: number;
}

interface Followed {
  exit: DetachedExit;
  verdict: RunVerdict;
  timedOut: boolean;
}

const CHECKPOINT_INTERVAL_MS = 1_000;

/** Starts a new run's agent and supervises it to its end. */
export async function superviseNewRun(ctx: RunContext, spec: LaunchSpec): Promise<void> {
  let followed = await launchAndFollow(ctx, spec, new Date(Date.now() + ctx.task.workspace.taskTimeoutSec * 1000));
  if (followed && needsFreshSession(ctx, followed.verdict, spec.resumeSessionId)) {
    followed = await launchAndFollow(ctx, freshSpec(ctx, spec), deadlineOf(ctx));
  }
  if (followed) await finishRun(ctx, followed);
}

/**
 * Takes over a run a previous server process started, from its checkpoint, and supervises it to
 * its end. `alreadyStored` events past the checkpoint's seq are in the log already: the lines
 * that make them are read again (the parser needs them) but not stored twice.
 */
export async function superviseResumedRun(ctx: RunContext, checkpoint: RunCheckpoint, alreadyStored: number): Promise<void> {
  const parser = ctx.adapter.createParser();
  const usage = { sawUsage: false };
  // The parser's state (session id, usage, last result) is rebuilt from what it had already read.
  const replayed = await untilReachable(ctx.active, () => ctx.transport.replayLogs(checkpoint.logPath, checkpoint.offsets, lineRecorder(parser, null, usage)));
  if (replayed === "away") {
    const exit = { exitCode: null, signal: null, unreachableMs: config().hostAwayLimitMs };
    return finishRun(ctx, { exit, verdict: parser.finish(null, checkpoint.previousCumulative), timedOut: false });
  }
  // Cancelled before the replay (a cancel sent while the server boots): the agent still runs, so
  // it is re-attached all the same and follow() stops it at once (finishing here left it running).
  // After everything stored: the events made again from the lines past the checkpoint are skipped.
  ctx.writer.append([{ kind: "system", message: `The server restarted: re-attached to the agent in tmux session ${checkpoint.sessionName}; its log continues where it stopped.` }]);
  const process = ctx.transport.reattach({
    logPath: checkpoint.logPath, offsets: checkpoint.offsets, awayLimitMs: config().hostAwayLimitMs, ...lineRecorder(parser, skippingFirst(alreadyStored, ctx.writer), usage, liveWindows(ctx)),
  });
  let followed = await follow(ctx, process, checkpoint, parser, usage);
  if (followed && needsFreshSession(ctx, followed.verdict, checkpoint.resumeSessionId)) {
    const spec: LaunchSpec = { bin: checkpoint.bin, prompt: ctx.run.prompt, resumeSessionId: checkpoint.resumeSessionId, previousCumulative: {}, attempt: checkpoint.attempt };
    followed = await launchAndFollow(ctx, freshSpec(ctx, spec), new Date(checkpoint.deadline));
  }
  if (followed) await finishRun(ctx, followed);
}

/** The deadline of the run's first launch holds for a second one too. */
function deadlineOf(ctx: RunContext): Date {
  return new Date(ctx.active.deadline ?? Date.now() + ctx.task.workspace.taskTimeoutSec * 1000);
}

function needsFreshSession(ctx: RunContext, verdict: RunVerdict, resumed: string | undefined): boolean {
  return Boolean(verdict.sessionNotFound && resumed && !ctx.active.cancelled);
}

/** The same run again in a fresh session, with the task's earlier prompts as context. */
function freshSpec(ctx: RunContext, spec: LaunchSpec): LaunchSpec {
  ctx.writer.append([{ kind: "system", message: `The agent session ${spec.resumeSessionId ?? ""} could not be resumed; starting a fresh session with the task's earlier prompts as context.` }]);
  const history = parseJson<PromptHistoryEntry[]>(ctx.task.promptHistory, []);
  return { ...spec, prompt: withHistory(history, spec.prompt), resumeSessionId: undefined, previousCumulative: {}, attempt: spec.attempt + 1 };
}

/** One launch: the command, a checkpoint saved before the agent starts, the detached start, the follow. Null once detached. */
async function launchAndFollow(ctx: RunContext, spec: LaunchSpec, deadline: Date): Promise<Followed | null> {
  const { task, run, adapter, writer, active, transport } = ctx;
  const worktreePath = task.worktreePath!;
  const outputSchemaPath = run.kind === "review" ? await writeReviewSchema(ctx) : undefined;
  // A reviewer does not queue subtasks: only work runs get the MCP server (agentMcp).
  const mcpConfigPath = await agentMcpConfigPath(ctx, spec.attempt, run.kind !== "review");
  const command = adapter.buildCommand({
    bin: spec.bin, prompt: spec.prompt, model: run.model, permissionMode: permissionModeOf(ctx) as PermissionMode, cwd: worktreePath, resumeSessionId: spec.resumeSessionId, outputSchemaPath, mcpConfigPath,
  });
  const sessionName = await taskSessionName(task.id);
  const logPath = runLogPath(worktreePath, task.id, run.id, spec.attempt);
  writer.append([{ kind: "system", message: `Starting the agent in tmux session ${sessionName}; its output goes to ${logPath}.` }]);
  await writer.flush();
  const checkpoint: RunCheckpoint = {
    runId: run.id, taskId: task.id, sessionName, logPath, offsets: { stdout: 0, stderr: 0 }, seq: writer.lastSeq,
    previousCumulative: spec.previousCumulative, deadline: deadline.toISOString(), bin: spec.bin, attempt: spec.attempt, resumeSessionId: spec.resumeSessionId,
  };
  active.deadline = deadline.getTime();
  // Saved before the agent starts: a restart from here on finds the run and re-attaches.
  await saveCheckpoint(checkpoint);
  await db().run.update({ where: { id: run.id }, data: { tmuxSession: sessionName } });
  const parser = adapter.createParser();
  const usage = { sawUsage: false };
  const process = await transport.spawnDetached(command.argv, {
    cwd: worktreePath, env: agentEnvironment(ctx, command.env), stdin: command.stdin, sessionName, logPath, nice: config().agentNice, awayLimitMs: config().hostAwayLimitMs, ...lineRecorder(parser, writer, usage, liveWindows(ctx)),
  });
  // Reachable by cancel at once, before anything else is awaited.
  active.process = process;
  active.markLaunched();
  if (process.pid !== null) await db().run.update({ where: { id: run.id }, data: { pid: process.pid } });
  return follow(ctx, process, checkpoint, parser, usage);
}

/** Follows a launched agent to its end: a checkpoint each second it moved on, the deadline, a cancel. Null once detached. */
async function follow(ctx: RunContext, process: DetachedProcess, checkpoint: RunCheckpoint, parser: ReturnType<AgentAdapter["createParser"]>, usage: { sawUsage: boolean }): Promise<Followed | null> {
  const { writer, active } = ctx;
  const grace = config().cancelGraceMs;
  let saving: Promise<void> = Promise.resolve();
  // The checkpoint on disk is `checkpoint` (saved at the launch, or the one resumed from): one with the same progress is not written again.
  const saveIfMoved = checkpointSaver(checkpoint);
  const save = () => {
    // Offsets and seq are taken together, synchronously: the lines up to the offsets made exactly these events.
    const snapshot: RunCheckpoint = { ...checkpoint, offsets: process.offsets(), seq: writer.lastSeq };
    saving = saving
      .then(async () => {
        await writer.flush();
        await saveIfMoved(snapshot);
      })
      .catch((error: unknown) => console.error(`[run ${checkpoint.runId}] saving the checkpoint failed`, error));
    return saving;
  };
  const ticker = setInterval(() => void save(), CHECKPOINT_INTERVAL_MS);
  ticker.unref();
  let timedOut = false;
  // A stop begun here (deadline, an early cancel) is finished, its process tree gone, before the run is.
  let stopping: Promise<void> = Promise.resolve();
  const timeoutSec = ctx.task.workspace.taskTimeoutSec;
  const deadlineTimer = setTimeout(() => {
    timedOut = true;
    writer.append([{ kind: "system", message: `Time limit of ${timeoutSec} s reached: stopping the agent.` }]);
    stopping = process.terminate(grace);
  }, Math.max(0, Date.parse(checkpoint.deadline) - Date.now()));
  let detached = false;
  active.process = process;
  active.detach = async () => {
    detached = true;
    clearInterval(ticker);
    clearTimeout(deadlineTimer);
    process.detach();
    await save();
  };
  // A cancel that arrived while the agent was starting.
  if (active.cancelled) stopping = process.terminate(grace);

  const exit = await process.exited;
  clearInterval(ticker);
  clearTimeout(deadlineTimer);
  await stopping;
  await saving;
  active.process = null;
  active.detach = null;
  if (detached) return null;
  const verdict = parser.finish(exit.exitCode, checkpoint.previousCumulative);
  // Some CLIs only report cumulative totals; the per-run figures exist once the verdict does.
  if (!usage.sawUsage) writer.append([{ kind: "usage", usage: verdict.usage }]);
  return { exit, verdict, timedOut };
}

/** Commits what the agent left, judges the run and records its outcome on the run and the task. */
async function finishRun(ctx: RunContext, followed: Followed): Promise<void> {
  const { task, run, transport, writer, active } = ctx;
  let { verdict } = followed;
  if (followed.exit.statusMissing && !active.cancelled && !followed.timedOut) {
    // The agent was killed from outside, with its machine or its tmux: not the task's fault, so it
    // is retried like a dropped connection, resuming its session, within AI_SLAVE_RETRY_DELAYS.
    const reason = "The agent's tmux session ended without an exit status (tmux was killed or the host restarted); its log and commits are kept.";
    writer.append([{ kind: "error", message: reason, fatal: true }]);
    verdict = { ...verdict, status: "FAILED", errorClass: "UNKNOWN", reason, transient: true };
  }
  if (followed.exit.unreachableMs !== undefined && !active.cancelled) {
    const seconds = Math.round(followed.exit.unreachableMs / 1000);
    const reason = `The workspace's host did not answer for ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`} (the limit is AI_SLAVE_HOST_AWAY_LIMIT_SEC); the run was given up. The agent may still be running there: its log and commits are kept, and a retry once the host is back stops it first.`;
    writer.append([{ kind: "error", message: reason, fatal: true }]);
    verdict = { ...verdict, status: "FAILED", errorClass: "NETWORK", reason, transient: false };
  }
  // A reviewer changes nothing; whatever it left is not the work's. A resolver's edits are staged by the merge queue.
  if (run.kind !== "review" && run.kind !== "resolve") {
    // A host already given up on gets a few short tries, not the whole away limit again.
    const leftovers = await commitLeftovers(transport, task, run, writer, "", followed.exit.unreachableMs !== undefined ? GIVEN_UP_HOST_BUDGET_MS : undefined);
    // Work that is not on the branch is not done: a run whose changes could not be committed fails.
    if (leftovers.error && verdict.status === "DONE" && !active.cancelled && !followed.timedOut) {
      verdict = { ...verdict, status: "FAILED", errorClass: leftovers.unreachable ? "NETWORK" : "UNKNOWN", reason: leftovers.error, transient: false };
    }
  }
  const autoRetries = await autoRetriesInARow(task.id, run.kind, run.id);
  const final = finalVerdict({
    verdict,
    timedOut: followed.timedOut,
    cancelled: active.cancelled,
    timeoutSec: task.workspace.taskTimeoutSec,
    autoRetries,
    retryDelaysMs: config().retryDelaysMs,
  });
  if (final.retryInMs !== null) writer.append([{ kind: "system", message: `Transient failure (${final.reason}); retrying automatically in ${Math.round(final.retryInMs / 1000)} s.` }]);
  const after = await verification(ctx, final);
  await writer.close().catch(() => undefined);
  await recordRunOutcome({
    taskId: task.id, workspaceId: task.workspaceId, runId: run.id, backend: run.backend as Backend, model: run.model, exitCode: followed.exit.exitCode, verdict,
    final: after?.final ?? final, run: { kind: run.kind, prompt: run.prompt }, after,
  });
  await removeCheckpoint(run.id);
}

/**
 * The checks and the review after a run the agent finished: only for runs that ended DONE (a
 * reviewer that failed for good leaves the work DONE with the review ERROR). A check that could
 * not run (the machine went away) fails the run with the reason: an unverified result is not DONE.
 */
async function verification(ctx: RunContext, final: FinalVerdict): Promise<AfterRun | undefined> {
  if (ctx.run.kind === "resolve") return resolveFinished(final);
  if (final.retryInMs !== null || ctx.active.cancelled) return undefined;
  if (final.runStatus !== "DONE") return ctx.run.kind === "review" ? reviewFailed(final) : undefined;
  try {
    const after = await verifyRun(ctx, final);
    if (!ctx.active.cancelled) return after;
    return { final: { runStatus: "FAILED", errorClass: "CANCELLED", reason: "Cancelled by the user.", retryInMs: null }, next: { kind: "finish" }, prompt: null, taskFields: after.taskFields };
  } catch (error) {
    const reason = `The run's checks could not be carried out: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`[task ${ctx.task.id}] ${reason}`);
    ctx.writer.append([{ kind: "error", message: reason, fatal: true }]);
    return { final: { runStatus: "FAILED", errorClass: "UNKNOWN", reason, retryInMs: null }, next: { kind: "finish" }, prompt: null, taskFields: {} };
  }
}

const UNREACHABLE_RETRY_MS = 5_000;

/** Retries a step that needs the machine until it works, the run is cancelled, or the machine stayed away past the limit. */
async function untilReachable(active: ActiveRun, step: () => Promise<void>): Promise<true | "cancelled" | "away"> {
  const since = Date.now();
  for (;;) {
    if (active.cancelled) return "cancelled";
    if (Date.now() - since >= config().hostAwayLimitMs) return "away";
    try {
      await step();
      return true;
    } catch (error) {
      console.error(`[task ${active.taskId}] re-attaching: ${(error as Error).message}; retrying in ${UNREACHABLE_RETRY_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, UNREACHABLE_RETRY_MS));
    }
  }
}

/** The adapter of a stored run. */
export function adapterOf(run: Run): AgentAdapter {
  return getAdapter(run.backend as Backend);
}

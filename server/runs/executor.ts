import "server-only";
import { requirePlacedWith } from "@/server/lifecycle/placed";
import type { Backend } from "@/lib/enums";
import type { PromptHistoryEntry } from "@/lib/schemas/task";
import { getAdapter } from "@/server/agents/registry";
import { locateAgentCli } from "@/server/agents/locate";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { Run } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { RunLogWriter } from "@/server/events/log-writer";
import type { SshError } from "@/server/exec/ssh-pool";
import { transportFor } from "@/server/exec/transport-for";
import { defaultWorktreePath, ensureWorktree, taskBranchName } from "@/server/git/worktree";
import { markRunStarted, returnToPool } from "@/server/lifecycle/task-state";
import { startBranchOf } from "@/server/scheduler/dependencies";
import { services } from "@/server/services";
import { whileActive } from "./active-runs";
import { removeCheckpoint } from "./checkpoint";
import { stopStrayAgents } from "./strays";
import { crashPoint } from "@/server/lifecycle/crash-point";
import { autoRetryDelay, recordRunOutcome } from "./finish";
import { planRun } from "./plan";
import { superviseNewRun, type RunContext, type TaskWithWorkspace } from "./supervisor";
import { recordBaseSha, setUpWorktree } from "./verification";
import { settings } from "@/server/settings";
import { loadRunAccount } from "@/server/accounts/service";
import type { AccountChoice } from "@/server/scheduler/plan";
import { accountEnvironment } from "./agent-env";
import { hostKeyOf, labelOf } from "@/server/scheduler/admission";
import { startGate } from "./start-gate";

/**
 * Executes one dispatch of a task that the scheduler has claimed (status RUNNING): waits for its
 * machine's turn to start (start-gate.ts), makes its run, prepares the worktree, finds the CLI,
 * and hands the run to the supervisor. Never throws.
 */
export async function executeTask(taskId: number, choice: AccountChoice = { accountId: null, fallback: null }): Promise<void> {
  const row = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!row) return;
  // A pool task was placed by the claim that started it (task-state.ts claimTask).
  const task = requirePlacedWith(row);
  const turn = await turnToStart(task);
  try {
    // A cancel while it waited found nothing supervising the task yet and finished it.
    if (turn.waitedMs !== null && (await db().task.count({ where: { id: taskId, status: "RUNNING" } })) === 0) return;
    await executeClaimed(task, choice, turn);
  } finally {
    turn.release();
  }
}

/**
 * The task's turn to start on its machine (start-gate.ts): given back once its agent is launched,
 * or when the run ends before that. `waitedMs`: null when it had no one to wait for.
 */
async function turnToStart(task: TaskWithWorkspace): Promise<{ release: () => void; ahead: number; waitedMs: number | null }> {
  const perMachine = config().startsPerMachine;
  const gate = startGate(perMachine);
  const machine = hostKeyOf(task.workspace);
  const ahead = gate.ahead(machine);
  const from = Date.now();
  if (ahead >= perMachine) crashPoint("waiting-for-turn");
  const release = await gate.enter(machine);
  return { release, ahead, waitedMs: ahead >= perMachine ? Date.now() - from : null };
}

async function executeClaimed(task: TaskWithWorkspace, choice: AccountChoice, turn: Awaited<ReturnType<typeof turnToStart>>): Promise<void> {
  const taskId = task.id;
  const runs = await db().run.findMany({ where: { taskId }, orderBy: { id: "asc" } });
  // On the fallback backend, a session of that backend is resumed if there is one; the task's own is not.
  const fallback = choice.fallback !== null && task.fallbackBackend ? (task.fallbackBackend as Backend) : null;
  const plan = planRun({ ...task, backend: fallback ?? task.backend, promptHistory: parseJson<PromptHistoryEntry[]>(task.promptHistory, []) }, runs.map(toPlanRun));
  const runner = await db().runner.findUnique({ where: { name: "local" } });
  const agent = await agentOf(task, plan.kind, fallback);
  const account = await loadRunAccount(choice.accountId);
  const run = await db().run.create({
    data: {
      taskId, kind: plan.kind, backend: agent.backend, model: agent.model, prompt: plan.prompt, resumeSessionId: plan.resumeSessionId ?? null,
      runnerId: runner?.id ?? null, cause: plan.cause ?? null, accountId: account?.id ?? null,
    },
  });
  const writer = new RunLogWriter(run.id, services().bus, config().logCapBytes);
  await whileActive(taskId, run.id, async (active) => {
    void active.launched.then(turn.release);
    if (turn.waitedMs !== null) {
      const perMachine = config().startsPerMachine;
      writer.append([{ kind: "system", message: `Started after ${turn.ahead} other run${turn.ahead === 1 ? "" : "s"} on ${labelOf(task.workspace)} (waited ${(turn.waitedMs / 1000).toFixed(1)} s): runs start ${perMachine} at a time per machine (AI_SLAVE_STARTS_PER_MACHINE).` }]);
    }
    const adapter = getAdapter(agent.backend);
    const ctx: RunContext = { task, run, transport: transportFor(task.workspace), adapter, writer, active, account };
    try {
      task.worktreePath ??= defaultWorktreePath(task.workspace.path, task.id, task.workspace.worktreeRoot ?? undefined);
      // A review's account is its reviewer's: the task keeps the one its own session lives in.
      const taskAccount = plan.kind === "review" || fallback ? undefined : (account?.id ?? null);
      if (choice.gpuIndices) task.gpuIndices = JSON.stringify(choice.gpuIndices);
      await markRunStarted({
        taskId, workspaceId: task.workspaceId, runId: run.id, branch: taskBranchName(task.id), worktreePath: task.worktreePath, accountId: taskAccount,
        gpuIndices: choice.gpuIndices,
      });
      if (choice.placement) writer.append([{ kind: "system", message: choice.placement }]);
      if (choice.gpuIndices) writer.append([{ kind: "system", message: `GPUs ${choice.gpuIndices.join(", ")} (CUDA_VISIBLE_DEVICES), idle by nvidia-smi and held by no other running task.` }]);
      if (fallback) writer.append([{ kind: "system", message: `Running on the fallback backend ${adapter.label}: ${choice.fallback}` }]);
      logAccount(ctx);
      const bin = await reconnecting(ctx, () => prepare(ctx, plan.kind, plan.freshSessionReason, runs));
      if (bin === null) return;
      if (active.cancelled) throw new CancelledBeforeStart();
      await superviseNewRun(ctx, { bin, prompt: plan.prompt, resumeSessionId: plan.resumeSessionId, previousCumulative: plan.previousCumulative, attempt: 1 });
    } catch (error) {
      await failRun(ctx, error);
    }
  });
  services().scheduler.poke("run finished");
}

/** The run's account in its log, with the server variables it names that are not set. */
function logAccount(ctx: RunContext): void {
  if (!ctx.account) return;
  const { missing } = accountEnvironment(ctx.account, ctx.adapter.configDirEnvVar);
  ctx.writer.append([{ kind: "system", message: `Account: ${ctx.account.label} (${ctx.adapter.providerLabel}).` }]);
  if (missing.length > 0) ctx.writer.append([{ kind: "system", message: `The account names server variables that are not set: ${missing.join(", ")}; the run goes without them.` }]);
}

/**
 * Who runs: the task's agent, or for a review its reviewer (the default model of its backend
 * unless named), or the task's fallback backend (its default model) when every account is held.
 */
async function agentOf(task: TaskWithWorkspace, kind: string, fallback: Backend | null): Promise<{ backend: Backend; model: string }> {
  if (fallback && kind !== "review") return { backend: fallback, model: await settings.defaultModel(fallback) };
  if (kind !== "review" || !task.reviewBackend) return { backend: task.backend as Backend, model: task.model };
  const backend = task.reviewBackend as Backend;
  return { backend, model: task.reviewModel ?? (await settings.defaultModel(backend)) };
}

/** About a minute in all: a busy host's sshd can refuse or drop sessions for several seconds. */
const RECONNECT_DELAYS_MS = [1_000, 3_000, 6_000, 10_000, 15_000, 25_000];

/**
 * A connection to the workspace's host that drops while the run prepares (before any agent runs)
 * is a passing fault: the step is made again on a new connection, a few times, in the same run.
 * Preparing is idempotent (the worktree is checked, reused or repaired).
 */
async function reconnecting<T>(ctx: RunContext, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      const dropped = isDroppedConnection(error);
      const delay = RECONNECT_DELAYS_MS[attempt];
      if (!dropped || delay === undefined || ctx.active.cancelled) throw error;
      ctx.writer.append([{ kind: "system", message: `${error.message} Reconnecting in ${delay / 1000} s (${attempt + 1} of ${RECONNECT_DELAYS_MS.length}).` }]);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isDroppedConnection(error: unknown): error is SshError {
  // By name: the class may come from another bundle of the process.
  return error instanceof Error && error.name === "SshError" && (error as SshError).code === "connect";
}

class CancelledBeforeStart extends Error {
  constructor() {
    super("Cancelled by the user.");
  }
}

/**
 * The worktree and the CLI; null (and the run recorded as FAILED) when the CLI is missing.
 * `earlier`: the task's runs before this one, as read when the run was planned.
 */
async function prepare(ctx: RunContext, kind: string, freshSessionReason: string | undefined, earlier: Run[]): Promise<string | null> {
  const { task, run, adapter, transport, writer } = ctx;
  const worktreePath = task.worktreePath!;
  const branch = taskBranchName(task.id);
  writer.append([{ kind: "system", message: `Run ${run.id} (${kind}) of task #${task.number}: ${adapter.cliName} with model ${run.model} in ${worktreePath} on ${branch}.` }]);
  await stopStrayAgents(ctx, earlier);
  // A resolve run works in the worktree as the merge queue left it: stopped in a rebase, on no branch.
  let knownHead: string | undefined;
  if (kind !== "resolve") {
    // A branch is the task's own once a run of it got as far as its base commit.
    const ownsBranch = earlier.some((before) => before.baseSha !== null);
    const worktree = await ensureWorktree(transport, { repoPath: task.workspace.path, worktreePath, branch, baseBranch: startBranchOf(task, task.workspace.baseBranch), ownsBranch });
    crashPoint("worktree-added");
    writer.append([{ kind: "system", message: `Worktree ${worktree.action}${worktree.movedAsidePath ? `; what was at the path was moved to ${worktree.movedAsidePath}` : ""}.` }]);
    await setUpWorktree(ctx, worktree.action);
    // A setup script may commit: only a worktree without one is still at the HEAD it was made with.
    if (!task.workspace.setupScript) knownHead = worktree.headSha;
  }
  await recordBaseSha(ctx, knownHead);
  if (freshSessionReason) writer.append([{ kind: "system", message: `Starting a fresh session (${freshSessionReason}), with the task's earlier prompts as context.` }]);
  const bin = await locateAgentCli(transport, adapter, task.workspaceId);
  if (bin) return bin;
  const reason = `The ${adapter.cliName} CLI was not found: install it, or set ${adapter.binEnvVar} or the cliPath.${run.backend} setting to its path.`;
  writer.append([{ kind: "error", message: reason, fatal: true }]);
  await writer.close().catch(() => undefined);
  await recordRunOutcome({
    taskId: task.id, workspaceId: task.workspaceId, runId: run.id, backend: run.backend as Backend, model: run.model, exitCode: null, verdict: null,
    final: { runStatus: "FAILED", errorClass: "TOOL", reason, retryInMs: null },
  });
  return null;
}

/**
 * A run that could not be prepared or supervised ends FAILED with the reason in its log. A host
 * that stayed unreachable while the run prepared (no agent started) is a passing fault: the task
 * is retried automatically with the usual backoff.
 */
async function failRun(ctx: RunContext, error: unknown): Promise<void> {
  const { task, run, writer, active } = ctx;
  const cancelled = active.cancelled || error instanceof CancelledBeforeStart;
  const setup = !cancelled && error instanceof Error && error.name === "SetupFailed";
  const unreachable = !cancelled && !setup && isDroppedConnection(error) && !active.process;
  const message = error instanceof Error ? error.message : String(error);
  if (!cancelled && !setup && !unreachable) console.error(`[task ${task.id}] run ${run.id} failed unexpectedly`, error);
  const shown = cancelled ? "Cancelled by the user." : setup ? message : `AI-Slave failed to run this task: ${message}`;
  writer.append([{ kind: "error", message: shown, fatal: true }]);
  const retryInMs = unreachable ? await autoRetryDelay(task.id, run.kind) : null;
  if (retryInMs !== null) writer.append([{ kind: "system", message: `The host could not be reached; retrying the task automatically in ${Math.round(retryInMs / 1000)} s.` }]);
  await writer.close().catch(() => undefined);
  await removeCheckpoint(run.id);
  const errorClass = cancelled ? "CANCELLED" : setup ? "SETUP" : unreachable ? "NETWORK" : "TOOL";
  await recordRunOutcome({
    taskId: task.id, workspaceId: task.workspaceId, runId: run.id, backend: run.backend as Backend, model: run.model, exitCode: null, verdict: null,
    final: { runStatus: "FAILED", errorClass, reason: cancelled ? "Cancelled by the user." : message, retryInMs },
    run: { kind: run.kind, prompt: run.prompt },
  }).catch((inner: unknown) => console.error(`[task ${task.id}] recording the failure failed`, inner));
  if (retryInMs !== null && task.poolId !== null) await backToPool(task);
}

/** A pool task that never had a session anywhere is not tied to the member that did not answer. */
async function backToPool(task: TaskWithWorkspace): Promise<void> {
  if ((await db().run.count({ where: { taskId: task.id, sessionId: { not: null } } })) > 0) return;
  const reason = `${task.workspace.name} did not answer: back in the pool, for a member that does.`;
  if (await returnToPool({ taskId: task.id, workspaceId: task.workspaceId, reason })) services().scheduler.poke("returned to its pool");
}

function toPlanRun(run: Run) {
  return { ...run, cumulativeUsage: parseJson<Record<string, number>>(run.cumulativeUsage, {}) };
}

export type { TaskWithWorkspace };

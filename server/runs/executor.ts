import "server-only";
import type { Backend, PermissionMode } from "@/lib/enums";
import type { PromptHistoryEntry } from "@/lib/schemas/task";
import { getAdapter } from "@/server/agents/registry";
import { resolveCli } from "@/server/agents/resolve-cli";
import type { AgentAdapter } from "@/server/agents/types";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { Run, Task, Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { transportFor } from "@/server/exec/transport-for";
import type { Transport } from "@/server/exec/transport";
import { commitAll } from "@/server/git/commit";
import { defaultWorktreePath, ensureWorktree, taskBranchName } from "@/server/git/worktree";
import { services } from "@/server/services";
import { getSetting } from "@/server/settings";
import { activeRuns, type ActiveRun } from "./active-runs";
import { runAgentProcess, type AgentProcessOutcome } from "./agent-process";
import { recordRunOutcome } from "./finish";
import { remoteCliPath } from "./remote-run";
import { RunLogWriter } from "./log-writer";
import { planRun, withHistory, type RunPlan } from "./plan";
import { finalVerdict, trailingAutoRetries, type FinalVerdict } from "./verdict";

type TaskWithWorkspace = Task & { workspace: Workspace };

/**
 * Executes one dispatch of a task that the scheduler has claimed (status RUNNING): prepares its
 * worktree, runs the agent, commits what it left, and records the outcome. Never throws.
 */
export async function executeTask(taskId: number): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!task) return;
  const runs = await db().run.findMany({ where: { taskId }, orderBy: { id: "asc" } });
  const plan = planRun({ ...task, promptHistory: parseJson<PromptHistoryEntry[]>(task.promptHistory, []) }, runs.map(toPlanRun));
  const runner = await db().runner.findUnique({ where: { name: "local" } });
  const run = await db().run.create({
    data: { taskId, kind: plan.kind, backend: task.backend, model: task.model, prompt: plan.prompt, resumeSessionId: plan.resumeSessionId ?? null, runnerId: runner?.id ?? null },
  });
  const writer = new RunLogWriter(run.id, services().bus, config().logCapBytes);
  let markDone: () => void = () => {};
  const active: ActiveRun = { taskId, runId: run.id, cancelled: false, interrupted: false, process: null, done: new Promise((resolve) => (markDone = resolve)) };
  activeRuns().set(taskId, active);
  try {
    await startRecord(task, run);
    const final = await executeRun(task, run, plan, runs, writer, active);
    await writer.close().catch(() => undefined);
    await recordRunOutcome({ taskId, workspaceId: task.workspaceId, runId: run.id, backend: task.backend as Backend, ...final });
  } catch (error) {
    console.error(`[task ${taskId}] run ${run.id} failed unexpectedly`, error);
    writer.append([{ kind: "error", message: `AI-Slave failed to run this task: ${messageOf(error)}`, fatal: true }]);
    await writer.close().catch(() => undefined);
    await recordRunOutcome({
      taskId, workspaceId: task.workspaceId, runId: run.id, backend: task.backend as Backend, exitCode: null, verdict: null,
      final: { runStatus: "FAILED", errorClass: active.cancelled ? "CANCELLED" : "TOOL", reason: active.cancelled ? "Cancelled by the user." : messageOf(error), retryInMs: null },
    }).catch((inner: unknown) => console.error(`[task ${taskId}] recording the failure failed`, inner));
  } finally {
    activeRuns().delete(taskId);
    markDone();
    services().scheduler?.poke("run finished");
  }
}

async function startRecord(task: TaskWithWorkspace, run: Run): Promise<void> {
  const worktreePath = task.worktreePath ?? defaultWorktreePath(task.workspace.path, task.id, task.workspace.worktreeRoot ?? undefined);
  await db().task.update({ where: { id: task.id }, data: { currentRunId: run.id, branch: taskBranchName(task.id), worktreePath } });
  task.worktreePath = worktreePath;
  services().bus.publishBoard({ type: "task.started", taskId: task.id, workspaceId: task.workspaceId, status: "RUNNING" });
}

interface RunResult {
  exitCode: number | null;
  verdict: AgentProcessOutcome["verdict"] | null;
  final: FinalVerdict;
}

async function executeRun(task: TaskWithWorkspace, run: Run, plan: RunPlan, earlier: Run[], writer: RunLogWriter, active: ActiveRun): Promise<RunResult> {
  const transport = transportFor(task.workspace);
  const adapter = getAdapter(task.backend as Backend);
  const worktreePath = task.worktreePath!;
  const branch = taskBranchName(task.id);
  writer.append([{ kind: "system", message: `Run ${run.id} (${plan.kind}) of task #${task.number}: ${adapter.cliName} with model ${task.model} in ${worktreePath} on ${branch}.` }]);

  const worktree = await ensureWorktree(transport, { repoPath: task.workspace.path, worktreePath, branch, baseBranch: task.workspace.baseBranch });
  writer.append([{ kind: "system", message: `Worktree ${worktree.action}${worktree.movedAsidePath ? `; what was at the path was moved to ${worktree.movedAsidePath}` : ""}.` }]);
  if (plan.freshSessionReason) writer.append([{ kind: "system", message: `Starting a fresh session (${plan.freshSessionReason}), with the task's earlier prompts as context.` }]);

  // A remote workspace's CLI is found on that host (remote-run.ts), not here.
  const bin = transport.kind === "local" ? await resolveBin(adapter) : await remoteCliPath(task.workspaceId, adapter.backend, adapter.cliName);
  if (!bin) {
    const reason = `The ${adapter.cliName} CLI was not found: install it, or set ${adapter.binEnvVar} or the cliPath.${task.backend} setting to its path.`;
    writer.append([{ kind: "error", message: reason, fatal: true }]);
    return { exitCode: null, verdict: null, final: { runStatus: "FAILED", errorClass: "TOOL", reason, retryInMs: null } };
  }

  let outcome = await runOnce(transport, adapter, bin, task, run, plan, writer, active);
  if (outcome.verdict.sessionNotFound && plan.resumeSessionId && !outcome.cancelled) {
    writer.append([{ kind: "system", message: `The agent session ${plan.resumeSessionId} could not be resumed; starting a fresh session with the task's earlier prompts as context.` }]);
    const history = parseJson<PromptHistoryEntry[]>(task.promptHistory, []);
    const fresh: RunPlan = { kind: plan.kind, prompt: withHistory(history, plan.prompt), previousCumulative: {} };
    outcome = await runOnce(transport, adapter, bin, task, run, fresh, writer, active);
  }

  await commitLeftovers(transport, worktreePath, task, run, writer);
  const final = finalVerdict({
    verdict: outcome.verdict,
    timedOut: outcome.timedOut,
    cancelled: outcome.cancelled,
    interrupted: active.interrupted,
    timeoutSec: task.workspace.taskTimeoutSec,
    autoRetries: trailingAutoRetries([...earlier.map((entry) => entry.kind), run.kind]),
    retryDelaysMs: config().retryDelaysMs,
  });
  if (final.retryInMs !== null) writer.append([{ kind: "system", message: `Transient failure (${final.reason}); retrying automatically in ${Math.round(final.retryInMs / 1000)} s.` }]);
  return { exitCode: outcome.exitCode, verdict: outcome.verdict, final };
}

async function runOnce(
  transport: Transport, adapter: AgentAdapter, bin: string, task: TaskWithWorkspace, run: Run, plan: RunPlan, writer: RunLogWriter, active: ActiveRun,
): Promise<AgentProcessOutcome> {
  const command = adapter.buildCommand({
    bin, prompt: plan.prompt, model: task.model, permissionMode: task.permissionMode as PermissionMode, cwd: task.worktreePath!, resumeSessionId: plan.resumeSessionId,
  });
  return runAgentProcess({
    transport, adapter, command, writer, active,
    cwd: task.worktreePath!,
    env: agentEnv(task, run, command.env),
    previousCumulative: plan.previousCumulative,
    timeoutMs: task.workspace.taskTimeoutSec * 1000,
    cancelGraceMs: config().cancelGraceMs,
    onStarted: async (pid) => {
      await db().run.update({ where: { id: run.id }, data: { pid: pid ?? null } });
    },
    run: { taskId: task.id, runId: run.id },
  });
}

/** The server's environment (API keys, base URLs, CODEX_HOME), the adapter's additions, and the GPUs. */
function agentEnv(task: TaskWithWorkspace, run: Run, adapterEnv: Record<string, string>): Record<string, string> {
  const gpus = parseJson<number[]>(task.workspace.gpuIndices, []);
  return {
    ...(process.env as Record<string, string>),
    ...adapterEnv,
    AI_SLAVE_TASK_ID: String(task.id),
    AI_SLAVE_RUN_ID: String(run.id),
    ...(gpus.length > 0 ? { CUDA_VISIBLE_DEVICES: gpus.join(",") } : {}),
  };
}

async function resolveBin(adapter: AgentAdapter): Promise<string | null> {
  const configuredPath = await getSetting<string | null>(`cliPath.${adapter.backend}`, null);
  return resolveCli(adapter, { configuredPath, projectRoot: config().projectRoot, envPath: process.env.PATH ?? "" })?.path ?? null;
}

/** Whatever the agent left uncommitted goes on the task branch: nothing is lost, all is reviewable. */
async function commitLeftovers(transport: Transport, cwd: string, task: Task, run: Run, writer: RunLogWriter): Promise<void> {
  try {
    const sha = await commitAll(transport, { cwd, message: `AI-Slave: task #${task.number} (${taskBranchName(task.id)}), run ${run.id}\n\n${task.title}`, noVerify: true });
    if (sha) writer.append([{ kind: "system", message: `Committed the agent's uncommitted changes as ${sha.slice(0, 12)}.` }]);
  } catch (error) {
    writer.append([{ kind: "error", message: `Could not commit the agent's changes: ${messageOf(error)}`, fatal: false }]);
  }
}

function toPlanRun(run: Run) {
  return { ...run, cumulativeUsage: parseJson<Record<string, number>>(run.cumulativeUsage, {}) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import "server-only";
import type { Backend, CheckState, ReviewState } from "@/lib/enums";
import { getAdapter } from "@/server/agents/registry";
import type { PromptHistoryEntry } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { parseJson } from "@/server/db/serialize";
import { runLogSummary } from "@/server/events/log-store";
import { branchDiff } from "@/server/git/diff";
import { fileAt, headSha } from "@/server/git/repo";
import { REVIEW_ANSWER_JSON_SCHEMA, type ReviewFinding } from "@/lib/schemas/review";
import path from "node:path";
import { taskRunDir } from "./session";
import { anchorOf } from "@/server/verify/anchor";
import { taskBranchName, type WorktreeAction } from "@/server/git/worktree";
import { afterReviewRun, afterWorkRun, type NextStep } from "@/server/verify/next-step";
import { runPhase, type PhaseResult } from "@/server/verify/phase";
import { checkFollowUp, reviewFollowUp, reviewPrompt, tailWithin } from "@/server/verify/prompts";
import { parseReviewAnswer } from "@/server/verify/review-answer";
import type { RunContext } from "./supervisor";
import type { FinalVerdict } from "./verdict";

/**
 * The checks around an agent's work: the workspace's setup script before a worktree's first run,
 * its check command after every work run, the denied tool calls, and the AI review with its fix
 * rounds. The supervisor calls in here; what to do next is decided by server/verify/next-step.ts.
 */

/** The review answer's JSON Schema, written once into the task's run folder on its machine. */
export async function writeReviewSchema(ctx: Pick<RunContext, "task" | "transport">): Promise<string> {
  const file = path.posix.join(taskRunDir(ctx.task.worktreePath!, ctx.task.id), "review-schema.json");
  const result = await ctx.transport.exec(["sh", "-c", 'umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", file], {
    cwd: "/", stdin: JSON.stringify(REVIEW_ANSWER_JSON_SCHEMA),
  });
  if (result.exitCode !== 0) throw new Error(`Could not write the review's answer schema to ${file}: ${result.stderr.trim()}`);
  return file;
}

/** A setup script that failed: the run ends FAILED with error class SETUP. */
export class SetupFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupFailed";
  }
}

/** The permission mode of a run: a reviewer only reads. */
export function permissionModeOf(ctx: Pick<RunContext, "task" | "run">): string {
  const adapter = getAdapter(ctx.run.backend as Backend);
  if (ctx.run.kind === "review") return adapter.readOnlyPermissionMode;
  return ctx.run.backend === ctx.task.backend ? ctx.task.permissionMode : adapter.defaultPermissionMode;
}

/** Runs the workspace's setup script in a worktree that has not had it yet; throws SetupFailed. */
export async function setUpWorktree(ctx: RunContext, action: WorktreeAction): Promise<void> {
  const { task, transport, writer } = ctx;
  const script = task.workspace.setupScript;
  const fresh = action === "created" || action === "recreated";
  if (!script || (task.setupDone && !fresh)) return;
  const result = await runPhase(transport, { phase: "setup", script, cwd: task.worktreePath!, timeoutSec: task.workspace.setupTimeoutSec, ...phaseOptions(ctx) }, writer);
  if (ctx.active.cancelled) throw new Error("Cancelled by the user.");
  if (result.state !== "PASSED") {
    const outcome = result.state === "TIMED_OUT" ? `did not finish in ${task.workspace.setupTimeoutSec} s` : `failed with exit code ${result.exitCode ?? "none"}`;
    throw new SetupFailed(`The setup script ${outcome}. Its output ends with:\n${tailWithin(result.outputTail, 4 * 1024)}`);
  }
  await db().task.update({ where: { id: task.id }, data: { setupDone: true } });
  task.setupDone = true;
}

/** Notes where the worktree stood when the run began: what the run changed is measured from it. */
export async function recordBaseSha(ctx: RunContext, known?: string): Promise<void> {
  const sha = known ?? (await headSha(ctx.transport, ctx.task.worktreePath!).catch(() => null));
  await db().run.update({ where: { id: ctx.run.id }, data: { baseSha: sha } });
  ctx.run.baseSha = sha;
}

/** What a phase of the run gets: the run's ids, and a cancel reaches it. */
function phaseOptions(ctx: RunContext) {
  return {
    env: { AI_SLAVE_TASK_ID: String(ctx.task.id), AI_SLAVE_RUN_ID: String(ctx.run.id) },
    onStoppable: (stop: ((graceMs: number) => Promise<void>) | null) => {
      ctx.active.stopPhase = stop;
    },
  };
}

/** What a finished run leads to, and what it sets on the task. */
export interface AfterRun {
  final: FinalVerdict;
  next: NextStep;
  /** The follow-up of a fix or review run. */
  prompt: string | null;
  taskFields: { checkState?: CheckState; reviewState?: ReviewState; reviewedBy?: "agent" | null; permissionDenials?: string };
  /** The task's status when it differs from the run's (a failed review does not undo the work). */
  taskStatus?: "DONE" | "FAILED";
}

/**
 * After a run whose agent ended DONE: the denied edits, the check, the review's answer, and the
 * next step. Runs that failed are not verified (their outcome stands as the verdict says).
 */
export async function verifyRun(ctx: RunContext, final: FinalVerdict): Promise<AfterRun> {
  await ctx.writer.flush();
  const log = runLogSummary(ctx.run.id);
  if (ctx.run.kind === "review") return afterReview(ctx, final, log.finalText);
  return afterWork(ctx, final, log.denied);
}

async function runsSoFar(taskId: number) {
  return db().run.findMany({ where: { taskId }, orderBy: { id: "asc" }, select: { id: true, kind: true, status: true, cause: true } });
}

async function afterWork(ctx: RunContext, final: FinalVerdict, denied: string[]): Promise<AfterRun> {
  const { task, run, transport, writer } = ctx;
  const deniedJson = JSON.stringify(denied);
  await db().run.update({ where: { id: run.id }, data: { permissionDenials: deniedJson } });
  if (denied.length > 0) {
    const head = await headSha(transport, task.worktreePath!).catch(() => null);
    const changed = head !== null && run.baseSha !== null && head !== run.baseSha;
    writer.append([{ kind: "system", message: `The agent's CLI denied ${denied.length} tool call(s): ${denied.slice(0, 5).join("; ")}${changed ? "" : ". The run changed nothing."}` }]);
    if (!changed) {
      const reason = `Every edit was denied and nothing changed: ${denied.slice(0, 5).join("; ")}. Give the task a permission mode that lets the agent edit its worktree.`;
      return { final: { runStatus: "FAILED", errorClass: "TOOL", reason, retryInMs: null }, next: { kind: "finish" }, prompt: null, taskFields: { permissionDenials: deniedJson } };
    }
  }
  const check = task.workspace.checkCommand ? await runCheck(ctx, task.workspace.checkCommand) : null;
  const runs = await runsSoFar(task.id);
  const next = afterWorkRun({
    runs: runs.map((entry) => (entry.id === run.id ? { ...entry, status: "DONE" } : entry)),
    check: check ? { passed: check.state === "PASSED" } : null,
    fixRounds: task.workspace.fixRounds,
    reviewer: Boolean(task.reviewBackend),
    reviewRounds: task.workspace.reviewRounds,
  });
  const taskFields: AfterRun["taskFields"] = { permissionDenials: deniedJson, checkState: next.checkState };
  if (next.kind === "fix" && check) {
    writer.append([{ kind: "system", message: `The check failed: fix round ${next.round} of ${next.rounds} follows with its output.` }]);
    const prompt = checkFollowUp({ command: task.workspace.checkCommand!, exitCode: check.exitCode, timedOut: check.state === "TIMED_OUT", outputTail: check.outputTail, round: next.round, rounds: next.rounds });
    return { final, next, prompt, taskFields };
  }
  if (next.kind === "review") {
    writer.append([{ kind: "system", message: `Review round ${next.round} of ${next.rounds} by ${task.reviewBackend} (${task.reviewModel ?? "default model"}) follows.` }]);
    const prompt = await buildReviewPrompt(ctx, check, next.round, next.rounds);
    return { final, next, prompt, taskFields: { ...taskFields, reviewState: "PENDING", reviewedBy: null } };
  }
  if (check && check.state !== "PASSED") writer.append([{ kind: "system", message: `The check still fails after ${task.workspace.fixRounds} fix round(s): a person decides.` }]);
  return { final, next, prompt: null, taskFields };
}

async function runCheck(ctx: RunContext, command: string): Promise<PhaseResult> {
  const { task, run, transport, writer } = ctx;
  const result = await runPhase(transport, { phase: "check", script: command, cwd: task.worktreePath!, timeoutSec: task.workspace.checkTimeoutSec, ...phaseOptions(ctx) }, writer);
  await db().run.update({
    where: { id: run.id },
    data: { checkState: result.state, checkExitCode: result.exitCode, checkDurationMs: result.durationMs, checkOutputTail: result.outputTail },
  });
  return result;
}

async function buildReviewPrompt(ctx: RunContext, check: PhaseResult | null, round: number, rounds: number): Promise<string> {
  const { task, transport } = ctx;
  const diff = await branchDiff(transport, { repoPath: task.workspace.path, baseBranch: task.workspace.baseBranch, branch: taskBranchName(task.id) });
  return reviewPrompt({
    history: parseJson<PromptHistoryEntry[]>(task.promptHistory, []),
    taskPrompt: task.prompt,
    diff: diff.patch,
    diffTruncated: diff.truncated,
    check: check && task.workspace.checkCommand ? { command: task.workspace.checkCommand, state: check.state, outputTail: check.outputTail } : null,
    round,
    rounds,
  });
}

async function afterReview(ctx: RunContext, final: FinalVerdict, answer: string): Promise<AfterRun> {
  const { task, run, writer } = ctx;
  const parsed = parseReviewAnswer(answer);
  const runs = await runsSoFar(task.id);
  const next = afterReviewRun({ runs: runs.map((entry) => (entry.id === run.id ? { ...entry, status: "DONE" } : entry)), parsed, reviewRounds: task.workspace.reviewRounds });
  const anchors = parsed.ok ? await findingAnchors(ctx, parsed.answer.findings) : [];
  await db().$transaction(async (tx) => {
    await tx.run.update({
      where: { id: run.id },
      data: parsed.ok
        ? { reviewVerdict: parsed.answer.verdict, reviewSummary: parsed.answer.summary, reviewFindings: JSON.stringify(parsed.answer.findings), reviewRaw: answer }
        : { reviewVerdict: null, reviewSummary: null, reviewFindings: "[]", reviewRaw: answer },
    });
    if (parsed.ok && parsed.answer.findings.length > 0) {
      // The findings show inline in the diff view, as the reviewer's comments.
      await tx.reviewComment.createMany({
        data: parsed.answer.findings.map((finding, index) => ({
          taskId: task.id, runId: run.id, file: finding.file, startLine: finding.line ?? null, endLine: finding.line ?? null, side: "new", author: "agent",
          severity: finding.severity, body: finding.comment, sentAt: next.kind === "fix" ? new Date() : null, anchor: anchors[index] ?? null,
        })),
      });
    }
  });
  if (!parsed.ok) {
    writer.append([{ kind: "error", message: `The reviewer's answer could not be read (${parsed.error}); the review is ERROR and its text is kept on the run.`, fatal: false }]);
    return { final, next, prompt: null, taskFields: { reviewState: "ERROR", reviewedBy: "agent" } };
  }
  const { answer: review } = parsed;
  writer.append([{ kind: "system", message: `Review: ${review.verdict} with ${review.findings.length} finding(s). ${review.summary}` }]);
  const prompt = next.kind === "fix" ? reviewFollowUp({ summary: review.summary, findings: review.findings, round: next.round, rounds: next.rounds }) : null;
  return { final, next, prompt, taskFields: { reviewState: "reviewState" in next ? next.reviewState : undefined, reviewedBy: "agent" } };
}

/** The text of each finding's line on the branch, so its comment follows the line when it moves. */
async function findingAnchors(ctx: RunContext, findings: ReviewFinding[]): Promise<(string | null)[]> {
  const files = new Map<string, Promise<string | null>>();
  const read = (file: string) => {
    if (!files.has(file)) files.set(file, fileAt(ctx.transport, ctx.task.workspace.path, taskBranchName(ctx.task.id), file).catch(() => null));
    return files.get(file)!;
  };
  return Promise.all(findings.map(async (finding) => (finding.line ? anchorOf((await read(finding.file)) ?? "", finding.line, finding.line) : null)));
}

/** A review run that failed for good (not cancelled, not retried): the work stands, the review is ERROR. */
export function reviewFailed(final: FinalVerdict): AfterRun {
  return { final, next: { kind: "finish", reviewState: "ERROR", reviewedBy: "agent" }, prompt: null, taskFields: { reviewState: "ERROR", reviewedBy: "agent" }, taskStatus: "DONE" };
}

/**
 * A resolve run is judged by the merge queue (markers left, the rebase going on), not here: no
 * check, no retry, and the task goes back to DONE whatever the run's outcome, which stays on the run.
 */
export function resolveFinished(final: FinalVerdict): AfterRun {
  return { final: { ...final, retryInMs: null }, next: { kind: "finish" }, prompt: null, taskFields: {}, taskStatus: "DONE" };
}

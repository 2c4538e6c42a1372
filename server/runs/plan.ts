import type { RunKind } from "@/lib/enums";
import type { PromptHistoryEntry } from "@/lib/schemas/task";

/** What one dispatch of a task runs: decided from the task and its earlier runs, without I/O. */
export interface RunPlan {
  kind: RunKind;
  prompt: string;
  /** The agent session to resume, if any. */
  resumeSessionId?: string;
  /** The resumed session's cumulative counters, to turn the CLI's totals into per-run figures. */
  previousCumulative: Record<string, number>;
  /** Why a follow-up starts a fresh session instead of resuming one. */
  freshSessionReason?: string;
  /** A fix run's cause: check | review. */
  cause?: string;
}

export interface PlanTask {
  prompt: string;
  backend: string;
  nextRunKind: string;
  promptHistory: PromptHistoryEntry[];
  /** The server's follow-up for a fix or review run. */
  pendingPrompt?: string | null;
  pendingCause?: string | null;
}

export interface PlanRun {
  kind: string;
  backend: string;
  prompt: string;
  sessionId: string | null;
  resumeSessionId: string | null;
  cumulativeUsage: Record<string, number>;
}

function cumulativeOf(runs: PlanRun[], sessionId: string): Record<string, number> {
  for (let index = runs.length - 1; index >= 0; index -= 1) {
    const run = runs[index]!;
    if (run.sessionId === sessionId && Object.keys(run.cumulativeUsage).length > 0) return run.cumulativeUsage;
  }
  return {};
}

function resumeOf(runs: PlanRun[], sessionId: string | null | undefined): Pick<RunPlan, "resumeSessionId" | "previousCumulative"> {
  return sessionId ? { resumeSessionId: sessionId, previousCumulative: cumulativeOf(runs, sessionId) } : { previousCumulative: {} };
}

/** The work agent's session to go on with: never a reviewer's, even of the same backend. */
function followUp(task: PlanTask, runs: PlanRun[], kind: "continue" | "fix" | "resolve", prompt: string): RunPlan {
  const previous = [...runs].reverse().find((run) => run.sessionId && run.backend === task.backend && run.kind !== "review");
  if (!previous) {
    return { kind, prompt: withHistory(task.promptHistory, prompt), previousCumulative: {}, freshSessionReason: "no earlier agent session to resume" };
  }
  return { kind, prompt, ...resumeOf(runs, previous.sessionId) };
}

/** `runs` oldest first. */
export function planRun(task: PlanTask, runs: PlanRun[]): RunPlan {
  const last = runs[runs.length - 1];
  switch (task.nextRunKind) {
    case "continue":
      return followUp(task, runs, "continue", task.promptHistory[task.promptHistory.length - 1]?.prompt ?? task.prompt);
    case "fix":
      return { ...followUp(task, runs, "fix", task.pendingPrompt ?? task.prompt), cause: task.pendingCause ?? undefined };
    case "resolve":
      return followUp(task, runs, "resolve", task.pendingPrompt ?? task.prompt);
    case "review":
      // A reviewer starts afresh each round: it reads the work, not its earlier opinion.
      return { kind: "review", prompt: task.pendingPrompt ?? task.prompt, previousCumulative: {} };
    case "auto_retry":
      if (last) return { kind: "auto_retry", prompt: last.prompt, ...resumeOf(runs, last.resumeSessionId) };
      return { kind: "initial", prompt: task.prompt, previousCumulative: {} };
    case "retry":
      return { kind: "retry", prompt: task.prompt, previousCumulative: {} };
    default:
      return { kind: "initial", prompt: task.prompt, previousCumulative: {} };
  }
}

/** A fresh session's prompt that carries the task's earlier turns as context. */
export function withHistory(history: PromptHistoryEntry[], followUp: string): string {
  const earlier = history.slice(0, -1).filter((entry) => entry.kind !== "retry" && entry.kind !== "auto_retry");
  if (earlier.length === 0) return followUp;
  const turns = earlier.map((entry, index) => `${index + 1}. ${entry.prompt}`).join("\n\n");
  return [
    "You are continuing earlier work on this task. Your previous session is not available, but this",
    "working tree holds everything you did. Earlier requests, in order:",
    "",
    turns,
    "",
    "The new request:",
    "",
    followUp,
  ].join("\n");
}

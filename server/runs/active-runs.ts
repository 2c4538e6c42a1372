import type { DetachedProcess } from "@/server/exec/detached";
import { processSingleton } from "@/server/singleton";

/** A run this process supervises right now: what cancel and shutdown need to reach it. */
export interface ActiveRun {
  taskId: number;
  runId: number;
  cancelled: boolean;
  /** The agent being followed; null while the run prepares or finishes. */
  process: DetachedProcess | null;
  /** Stops the setup script or check running now, if one is. */
  stopPhase: ((graceMs: number) => Promise<void>) | null;
  /** When the run's time limit ends (ms since the epoch), once its agent was launched. */
  deadline: number | null;
  /** Stops following and saves a last checkpoint, leaving the agent running (shutdown). */
  detach: (() => Promise<void>) | null;
  /** Resolves once the agent was launched or the run ended before that. */
  launched: Promise<void>;
  markLaunched(): void;
  /** Resolves when the run's outcome was recorded. */
  done: Promise<void>;
}

/** Active runs by task id, shared by every bundle of the process. */
export function activeRuns(): Map<number, ActiveRun> {
  return processSingleton("active-runs", () => new Map<number, ActiveRun>());
}

/**
 * Registers a run as active for the duration of `body`: cancel and the scheduler see it at once,
 * and it is gone (done resolved) however `body` ends.
 */
export async function whileActive(taskId: number, runId: number, body: (active: ActiveRun) => Promise<void>): Promise<void> {
  let markDone: () => void = () => undefined;
  let markLaunched: () => void = () => undefined;
  const active: ActiveRun = {
    taskId, runId, cancelled: false, process: null, stopPhase: null, deadline: null, detach: null,
    launched: new Promise((resolve) => (markLaunched = resolve)),
    markLaunched: () => markLaunched(),
    done: new Promise((resolve) => (markDone = resolve)),
  };
  activeRuns().set(taskId, active);
  try {
    await body(active);
  } finally {
    if (activeRuns().get(taskId) === active) activeRuns().delete(taskId);
    markLaunched();
    markDone();
  }
}

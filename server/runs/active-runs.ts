import type { SpawnedProcess } from "@/server/exec/transport";

/** A run this process is executing right now: what cancel needs to reach it. */
export interface ActiveRun {
  taskId: number;
  runId: number;
  cancelled: boolean;
  /** The server is shutting down: the run ends as interrupted, not as the agent's failure. */
  interrupted: boolean;
  process: SpawnedProcess | null;
  /** Resolves when the run's outcome was recorded. */
  done: Promise<void>;
}

const KEY = Symbol.for("ai-slave.active-runs");
type GlobalWithRuns = typeof globalThis & { [KEY]?: Map<number, ActiveRun> };

/** Active runs by task id, shared by every bundle of the process. */
export function activeRuns(): Map<number, ActiveRun> {
  const scope = globalThis as GlobalWithRuns;
  scope[KEY] ??= new Map();
  return scope[KEY];
}

/** Marks a remote run's process; a registered symbol, so every bundle of the process reads the mark. */
export const DETACHED = Symbol.for("ai-slave.detached-process");

/** Whether a run's agent lives on remotely when this server stops (shutdown need not wait for it). */
export function isDetachedRun(run: ActiveRun): boolean {
  return run.process !== null && DETACHED in run.process;
}

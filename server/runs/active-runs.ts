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

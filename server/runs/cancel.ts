import "server-only";
import { activeRuns } from "./active-runs";

/**
 * Cancels a live run of this process: SIGTERM to the agent's process tree in its tmux session,
 * SIGKILL after the grace period. Resolves once the run's outcome (class CANCELLED) is recorded.
 */
export async function cancelRunningTask(taskId: number, graceMs: number): Promise<boolean> {
  const active = activeRuns().get(taskId);
  if (!active) return false;
  active.cancelled = true;
  if (active.process) await active.process.terminate(graceMs);
  if (active.stopPhase) await active.stopPhase(graceMs);
  await active.done;
  return true;
}

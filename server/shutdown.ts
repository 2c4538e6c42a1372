import { activeRuns, isDetachedRun } from "./runs/active-runs";
import { services } from "./services";

/**
 * Stops dispatching and ends the local agents this process started, so none is left orphaned;
 * their runs are recorded as interrupted by the restart (what a crash leaves behind, the next
 * start's reconciliation records the same way). Remote agents live on in their tmux sessions and
 * are re-attached at the next start.
 */
export async function stopServices(graceMs = 3000): Promise<void> {
  await services().scheduler?.stop();
  for (const stop of services().stopBackground ?? []) stop();
  const runs = [...activeRuns().values()];
  for (const run of runs) run.interrupted = true;
  await Promise.all(runs.map((run) => run.process?.terminate(graceMs)));
  const recorded = Promise.all(runs.filter((run) => !isDetachedRun(run)).map((run) => run.done));
  await Promise.race([recorded, new Promise((resolve) => setTimeout(resolve, graceMs + 2000))]);
}

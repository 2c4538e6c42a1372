import { activeRuns } from "./runs/active-runs";
import { services } from "./services";

/**
 * Stops dispatching and ends the agents this process started, so none is left orphaned. Their
 * tasks are marked "interrupted by server restart" by the next start's reconciliation.
 */
export async function stopServices(graceMs = 3000): Promise<void> {
  await services().scheduler?.stop();
  await Promise.all([...activeRuns().values()].map((run) => run.process?.terminate(graceMs)));
}

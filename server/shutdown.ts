import { activeRuns } from "./runs/active-runs";
import { services } from "./services";

/**
 * Stops dispatching and lets go of the runs: every agent lives on in its tmux session, and the
 * next start re-attaches to it from the checkpoint saved here. A run still preparing (worktree,
 * launch) gets `graceMs` to launch its agent first.
 */
export async function stopServices(graceMs = 3000): Promise<{ detached: number }> {
  // A stop during boot lets it finish first (within the grace): otherwise its scheduler would
  // start after the stop, and the runs it is taking over would not be let go of.
  const booting = services().booting;
  if (booting) await Promise.race([booting.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  await services().scheduler.stop();
  await services().mergeQueue.stop(graceMs);
  for (const stop of services().stopBackground) stop();
  const runs = [...activeRuns().values()];
  const timeout = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([Promise.all(runs.map((run) => run.launched)), timeout]);
  let detached = 0;
  for (const run of runs) {
    if (!run.detach) continue;
    await run.detach();
    detached += 1;
  }
  return { detached };
}

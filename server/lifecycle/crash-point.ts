/**
 * Named steps where the crash-consistency tests stop the real server with SIGKILL, mid-operation,
 * as a power cut would: with AI_SLAVE_CRASH_AT=<name> the process kills itself there. Unset
 * (always, outside those tests) a crash point does nothing. Each name marks a step whose
 * half-done state the restart must survive (tests/integration/reliability/crash-points.test.ts).
 */
export type CrashPointName =
  /** A claimed task waits for its machine's turn to start (runs/start-gate.ts); its run is not made yet. */
  | "waiting-for-turn"
  /** `git worktree add` made the task's worktree; the run has not launched its agent. */
  | "worktree-added"
  /** A run's outcome is written, its task's transition (an automatic retry's requeue, say) not yet committed. */
  | "run-outcome"
  /** git moved the base branch to the merge; the task is not yet marked merged. */
  | "merged-unrecorded";

export function crashPoint(name: CrashPointName): void {
  if (process.env.AI_SLAVE_CRASH_AT === name) process.kill(process.pid, "SIGKILL");
}

import "server-only";
import path from "node:path";
import { config } from "@/server/config";
import { migrateDatabase } from "@/server/db/migrate";
import { checkpointElsewhere } from "@/server/db/wal-checkpoint";
import { spawnerCheckpointer } from "@/server/exec/wal-checkpointer";
import { startProcessMetrics } from "@/server/process-metrics";
import { scheduleLogCompaction } from "@/server/events/log-compaction";
import { activeRuns } from "@/server/runs/active-runs";
import { cancelRunningTask } from "@/server/runs/cancel";
import { executeTask } from "@/server/runs/executor";
import { reconcileRuns } from "@/server/runs/reconcile";
import { registerLocalRunner, startHeartbeat } from "@/server/runner/local-runner";
import { MergeQueueWorker } from "@/server/merge-queue/worker";
import { schedulePullRequestRefresh } from "@/server/tasks/pull-request-refresh";
import { Scheduler } from "@/server/scheduler/scheduler";
import { services } from "@/server/services";

/**
 * Starts the background services once per process: migrations, taking over the runs the last
 * server process left running, the local runner and the scheduler. Idempotent: dev reloads and
 * a second call do nothing (they get the first call's promise).
 *
 * The server does not wait for it before answering (instrumentation.ts): requests are served by
 * services.ts's stand-ins meanwhile, a task queued then waits in TODO for the scheduler's first
 * pass, and a cancel waits until the runs left by the last process are taken over.
 */
export function startServices(): Promise<void> {
  const shared = services();
  if (shared.started) return shared.booting ?? Promise.resolve();
  shared.started = true;
  shared.booting = boot(shared);
  return shared.booting;
}

async function boot(shared: ReturnType<typeof services>): Promise<void> {
  // Before any connection is made (boot starts inside instrumentation's register(), before the
  // first request): the spawner checkpoints, not the server's thread (db/wal-checkpoint.ts).
  checkpointElsewhere(spawnerCheckpointer);
  startProcessMetrics();
  const settings = config();
  migrateDatabase(settings.databaseFile, path.join(settings.projectRoot, "prisma", "migrations"));
  // Set at once: a cancel that comes during boot waits for the runs to be taken over, then
  // finds its run (an agent the last process left running is stopped, not forgotten).
  shared.runControl = {
    cancel: async (taskId) => {
      await shared.booting;
      return cancelRunningTask(taskId, settings.cancelGraceMs);
    },
    isActive: (taskId) => activeRuns().has(taskId),
  };
  const runnerId = await registerLocalRunner();
  shared.refreshRunner = async () => void (await registerLocalRunner());
  // Before the scheduler: the runs taken over count against their workspaces' limits.
  const { reattached, failed, retried, requeued } = await reconcileRuns();
  if (reattached > 0) console.log(`[ai-slave] re-attached to ${reattached} running agent(s); their logs continue where they stopped.`);
  if (retried > 0) console.log(`[ai-slave] ${retried} run(s) had not started their agent when the last server stopped; their tasks are retried automatically.`);
  if (failed > retried) console.log(`[ai-slave] ${failed - retried} run(s) had not started their agent when the last server stopped and are marked FAILED (their automatic retries are used up).`);
  if (requeued > 0) console.log(`[ai-slave] ${requeued} task(s) were waiting for their turn to start when the last server stopped and are queued again.`);
  const scheduler = new Scheduler({ scanIntervalMs: settings.scanIntervalMs, runnerMaxConcurrency: settings.runnerMaxConcurrency, execute: executeTask });
  shared.scheduler = scheduler;
  scheduler.start();
  // Queues left mid-step by the last process resume from the step stored with each entry.
  const mergeQueue = new MergeQueueWorker(settings.scanIntervalMs);
  shared.mergeQueue = mergeQueue;
  mergeQueue.start();
  shared.stopBackground = [startHeartbeat(runnerId), scheduleLogCompaction(), schedulePullRequestRefresh(settings.pullRequestRefreshMs)];
  console.log(`[ai-slave] scheduler started (runner ${runnerId}, up to ${settings.runnerMaxConcurrency} runs at once).`);
}

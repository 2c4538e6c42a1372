import "server-only";
import path from "node:path";
import { config } from "@/server/config";
import { migrateDatabase } from "@/server/db/migrate";
import { executeTask } from "@/server/runs/executor";
import { activeRuns } from "@/server/runs/active-runs";
import { scheduleLogCompaction } from "@/server/runs/log-compaction";
import { reconcileInterruptedRuns } from "@/server/runs/reconcile";
import { registerLocalRunner, startHeartbeat } from "@/server/runner/local-runner";
import { Scheduler } from "@/server/scheduler/scheduler";
import { services } from "@/server/services";
import { cancelRunningTask } from "@/server/tasks/cancel";

/**
 * Starts the background services once per process: migrations, restart recovery, the local
 * runner and the scheduler. Idempotent: dev reloads and a second call do nothing.
 */
export async function startServices(): Promise<void> {
  const shared = services();
  if (shared.started) return;
  shared.started = true;
  const settings = config();
  migrateDatabase(settings.databaseFile, path.join(settings.projectRoot, "prisma", "migrations"));
  const interrupted = await reconcileInterruptedRuns();
  if (interrupted > 0) console.log(`[ai-slave] ${interrupted} task(s) were interrupted by the last shutdown and are marked FAILED.`);
  const runnerId = await registerLocalRunner();
  shared.refreshRunner = async () => void (await registerLocalRunner());
  const scheduler = new Scheduler({ scanIntervalMs: settings.scanIntervalMs, runnerMaxConcurrency: settings.runnerMaxConcurrency, execute: executeTask });
  shared.scheduler = scheduler;
  shared.runControl = {
    cancel: (taskId) => cancelRunningTask(taskId, settings.cancelGraceMs),
    isActive: (taskId) => activeRuns().has(taskId),
  };
  scheduler.start();
  shared.stopBackground = [startHeartbeat(runnerId), scheduleLogCompaction()];
  console.log(`[ai-slave] scheduler started (runner ${runnerId}, up to ${settings.runnerMaxConcurrency} runs at once).`);
}

import "server-only";
import type { HealthReport } from "@/lib/schemas/health";
import { db } from "@/server/db/client";
import { processMetrics } from "@/server/process-metrics";
import { localRunnerStatus } from "@/server/runner/local-runner";
import { schedulerRunning } from "@/server/services";
import packageJson from "@/package.json";

/** Whether the database answers: all a caller without the token learns (`status`). */
export async function databaseHealth(): Promise<{ ok: boolean; error?: string }> {
  try {
    await db().$queryRaw`SELECT 1`;
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The whole report, for an authenticated caller. Reading it starts a new window of the
 * event-loop lag percentiles (processMetrics).
 */
export async function healthReport(): Promise<HealthReport> {
  const database = await databaseHealth();
  const runner = database.ok ? await localRunnerStatus() : null;
  return {
    status: database.ok ? "ok" : "degraded",
    version: packageJson.version,
    uptimeSec: Math.round(process.uptime()),
    database,
    scheduler: { running: schedulerRunning() },
    runner,
    process: processMetrics(),
  };
}

import "server-only";
import type { HealthReport } from "@/lib/schemas/health";
import { db } from "@/server/db/client";
import { processMetrics } from "@/server/process-metrics";
import { localRunnerStatus } from "@/server/runner/local-runner";
import { schedulerRunning } from "@/server/services";
import packageJson from "@/package.json";

export async function healthReport(): Promise<HealthReport> {
  let database: { ok: boolean; error?: string };
  try {
    await db().$queryRaw`SELECT 1`;
    database = { ok: true };
  } catch (error) {
    database = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
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

import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { ProcessMetrics } from "@/lib/schemas/health";
import { processSingleton } from "@/server/singleton";

/** The event-loop delay monitor's timer period. */
const RESOLUTION_MS = 10;

/** One event-loop delay monitor per process (10 ms resolution), started on first use. */
function monitor(): { histogram: IntervalHistogram } {
  return processSingleton("event-loop-delay", () => {
    const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
    return { histogram };
  });
}

/** Starts measuring at boot, so the first report covers the time since. */
export function startProcessMetrics(): void {
  monitor();
}

/**
 * A reading as lag: how late the monitor's timer fired, in ms. The histogram records the whole
 * time between two firings, the timer's own period included (an idle loop reads 10 ms), so the
 * period comes off, as OpenTelemetry's and Elastic's Node runtime metrics take it off.
 */
const lagMs = (nanoseconds: number) => Math.max(0, Math.round((nanoseconds / 1e6 - RESOLUTION_MS) * 100) / 100);
const mb = (bytes: number) => Math.round(bytes / 1024 / 104.857_6) / 10;

/**
 * Memory and event-loop lag of this process (ms beyond the monitor's period). The lag percentiles
 * cover the time since the previous report (reading resets them), so a benchmark reads once before
 * its load and once after.
 */
export function processMetrics(): ProcessMetrics {
  const { histogram } = monitor();
  const memory = process.memoryUsage();
  const lag = { p50: lagMs(histogram.percentile(50)), p99: lagMs(histogram.percentile(99)), max: lagMs(histogram.max), samples: histogram.count };
  histogram.reset();
  return { rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), eventLoopDelayMs: lag };
}

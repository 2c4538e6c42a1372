import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { ProcessMetrics } from "@/lib/schemas/health";
import { processSingleton } from "@/server/singleton";

/** One event-loop delay monitor per process (10 ms resolution), started on first use. */
function monitor(): { histogram: IntervalHistogram } {
  return processSingleton("event-loop-delay", () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    return { histogram };
  });
}

/** Starts measuring at boot, so the first report covers the time since. */
export function startProcessMetrics(): void {
  monitor();
}

const ms = (nanoseconds: number) => Math.round((nanoseconds / 1e6) * 100) / 100;

/**
 * Memory and event-loop lag of this process. The lag percentiles cover the time since the
 * previous report (reading resets them), so a benchmark reads once before its load and once after.
 */
export function processMetrics(): ProcessMetrics {
  const { histogram } = monitor();
  const memory = process.memoryUsage();
  const lag = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count };
  histogram.reset();
  return { rssMb: Math.round(memory.rss / 1024 / 104.857_6) / 10, heapUsedMb: Math.round(memory.heapUsed / 1024 / 104.857_6) / 10, eventLoopDelayMs: lag };
}

import { describe, expect, it } from "vitest";
import { processMetrics, startProcessMetrics } from "@/server/process-metrics";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the process metrics' event-loop lag", () => {
  it("reads how late the monitor's timer fired, without its 10 ms period, and resets on each read", async () => {
    startProcessMetrics();
    processMetrics();
    // A quiet loop: the timer fires on time, so the lag is near 0 (the whole period read 10 ms).
    await sleep(400);
    const quiet = processMetrics().eventLoopDelayMs;
    expect(quiet.samples).toBeGreaterThan(10);
    expect(quiet.p50).toBeLessThan(5);

    // The loop held for 80 ms: the timer due within 10 ms fires 70 ms or more late. (Not at once
    // after the read: the reset forgets the monitor's last firing, so the firing after it records nothing.)
    await sleep(50);
    const until = Date.now() + 80;
    while (Date.now() < until) {
      // busy on purpose
    }
    await sleep(30);
    const blocked = processMetrics().eventLoopDelayMs;
    expect(blocked.max).toBeGreaterThanOrEqual(65);
    expect(blocked.max).toBeLessThan(200);

    // The read reset it: the 80 ms is not in the next report.
    await sleep(100);
    expect(processMetrics().eventLoopDelayMs.max).toBeLessThan(blocked.max);
  });
});

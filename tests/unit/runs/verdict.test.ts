import { describe, expect, it } from "vitest";
import type { RunVerdict } from "@/server/agents/types";
import { finalVerdict, formatDuration, trailingAutoRetries } from "@/server/runs/verdict";

const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
const verdict = (fields: Partial<RunVerdict>): RunVerdict => ({ status: "FAILED", usage, cumulative: {}, ...fields });
const base = { timedOut: false, cancelled: false, timeoutSec: 7200, autoRetries: 0, retryDelaysMs: [5000, 15000, 30000] };

describe("finalVerdict", () => {
  it("keeps a DONE verdict", () => {
    expect(finalVerdict({ ...base, verdict: verdict({ status: "DONE" }) })).toEqual({ runStatus: "DONE", errorClass: null, reason: null, retryInMs: null });
  });

  it("a cancel or a timeout wins over what the agent said", () => {
    expect(finalVerdict({ ...base, cancelled: true, verdict: verdict({ status: "DONE" }) }).errorClass).toBe("CANCELLED");
    const timedOut = finalVerdict({ ...base, timedOut: true, verdict: verdict({ errorClass: "NETWORK", transient: true }) });
    expect(timedOut).toMatchObject({ runStatus: "FAILED", retryInMs: null });
    expect(timedOut.reason).toContain("2 h");
  });

  it("retries transient failures after 5, 15 and 30 s, then gives up", () => {
    const transient = verdict({ errorClass: "NETWORK", transient: true, reason: "529 Overloaded" });
    expect([0, 1, 2, 3].map((autoRetries) => finalVerdict({ ...base, autoRetries, verdict: transient }).retryInMs)).toEqual([5000, 15000, 30000, null]);
    expect(finalVerdict({ ...base, verdict: verdict({ errorClass: "QUOTA" }) }).retryInMs).toBeNull();
  });
});

describe("helpers", () => {
  it("counts automatic retries at the end only", () => {
    expect(trailingAutoRetries(["initial", "auto_retry", "continue", "auto_retry", "auto_retry"])).toBe(2);
    expect(trailingAutoRetries(["initial"])).toBe(0);
  });
  it("formats durations", () => {
    expect([7200, 300, 45].map(formatDuration)).toEqual(["2 h", "5 min", "45 s"]);
  });
});

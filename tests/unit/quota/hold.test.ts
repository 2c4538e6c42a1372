import { describe, expect, it } from "vitest";
import { holdOf } from "@/server/quota/hold";

const now = new Date("2026-11-30T12:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

describe("holdOf", () => {
  it("holds an account whose window is at or above the threshold until that window resets", () => {
    const hold = holdOf({ state: "OK", resetsAt: null, windows: [{ window: "5h", utilization: 0.95, resetsAt: at(30) }, { window: "7d", utilization: 0.1, resetsAt: at(9000) }] }, 0.9, now);
    expect(hold).toEqual({ until: new Date(at(30)), why: "5-hour window at 95%" });
    expect(holdOf({ state: "OK", resetsAt: null, windows: [{ window: "5h", utilization: 0.9, resetsAt: at(30) }] }, 0.9, now)?.why).toBe("5-hour window at 90%");
  });

  it("does not hold below the threshold, after the reset time, or without one", () => {
    expect(holdOf({ state: "OK", resetsAt: null, windows: [{ window: "5h", utilization: 0.89, resetsAt: at(30) }] }, 0.9, now)).toBeNull();
    expect(holdOf({ state: "OK", resetsAt: null, windows: [{ window: "5h", utilization: 0.99, resetsAt: at(-1) }] }, 0.9, now)).toBeNull();
    expect(holdOf({ state: "OK", resetsAt: null, windows: [{ window: "5h", utilization: 0.99, resetsAt: null }] }, 0.9, now)).toBeNull();
    expect(holdOf(undefined, 0.9, now)).toBeNull();
  });

  it("holds an exhausted account until its reset, and until the later of several holds", () => {
    expect(holdOf({ state: "EXHAUSTED", resetsAt: new Date(at(5)), windows: [] }, 0.9, now)).toEqual({ until: new Date(at(5)), why: "exhausted" });
    const both = holdOf({ state: "EXHAUSTED", resetsAt: new Date(at(5)), windows: [{ window: "7d", utilization: 1, resetsAt: at(600) }] }, 0.9, now);
    expect(both).toEqual({ until: new Date(at(600)), why: "exhausted, weekly window at 100%" });
  });
});

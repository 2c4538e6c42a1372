import { describe, expect, it } from "vitest";
import { createClaudeParser } from "@/server/agents/claude-code/parser";
import { parseRateLimitEvent } from "@/server/agents/claude-code/rate-limit";
import { replay, transcript } from "./transcript";

const line = (info: object) => JSON.stringify({ type: "rate_limit_event", rate_limit_info: info, session_id: "s" });

describe("Claude Code rate_limit_event", () => {
  it("turns the recorded line into the 5-hour and weekly windows, shown once in the log", () => {
    const { parser, events } = replay(createClaudeParser(), [...transcript("claude-rate-limit-event.jsonl"), ...transcript("claude-rate-limit-event.jsonl")]);
    expect(events).toEqual([
      { kind: "system", message: "Rate limit (allowed): 5-hour window 95% (resets 2026-11-30T03:46:10.000Z), weekly window 10% (resets 2026-12-06T02:46:10.000Z)." },
    ]);
    expect(parser.finish(0, {}).quotaWindows).toEqual([
      { window: "5h", utilization: 0.95, resetsAt: "2026-11-30T03:46:10.000Z" },
      { window: "7d", utilization: 0.1, resetsAt: "2026-12-06T02:46:10.000Z" },
    ]);
  });

  it("keeps the latest figures per window over a run", () => {
    const parser = createClaudeParser();
    parser.pushStdout(line({ status: "allowed", unifiedWindows: { five_hour: { utilization: 0.5, resetsAt: 1796010370 } } }));
    parser.pushStdout(line({ status: "allowed_warning", unifiedWindows: { five_hour: { utilization: 0.92, resetsAt: 1796010370 } } }));
    expect(parser.finish(0, {}).quotaWindows).toEqual([{ window: "5h", utilization: 0.92, resetsAt: "2026-11-30T03:46:10.000Z" }]);
  });

  it("reads the single-window form and ignores what it cannot read", () => {
    expect(parseRateLimitEvent({ rate_limit_info: { status: "allowed_warning", rateLimitType: "seven_day", utilization: 0.8, resetsAt: 1796525170 } })).toEqual([
      { window: "7d", utilization: 0.8, resetsAt: "2026-12-06T02:46:10.000Z" },
    ]);
    expect(parseRateLimitEvent({ rate_limit_info: { status: "allowed", rateLimitType: "five_hour", resetsAt: 1796010370 } })).toEqual([]);
    expect(parseRateLimitEvent({ rate_limit_info: { unifiedWindows: { overage: { utilization: 0.3 }, five_hour: { utilization: "x" } } } })).toEqual([]);
    expect(parseRateLimitEvent({})).toEqual([]);
    expect(createClaudeParser().finish(0, {}).quotaWindows).toBeUndefined();
  });
});

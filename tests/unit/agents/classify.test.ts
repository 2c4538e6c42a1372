import { describe, expect, it } from "vitest";
import { classifyError, oneLine, parseResetTime, stderrReason } from "@/server/agents/classify";

// Local clock times: the reset parser works in the server's time zone, so do the fixtures.
const now = new Date(2026, 10, 24, 11, 20, 0);

describe("classifyError", () => {
  it.each([
    ["Quota exceeded. Check your plan and billing details.", undefined, "QUOTA"],
    ["insufficient_quota: You exceeded your current quota", 429, "QUOTA"],
    ["You’ve hit your usage limit. Upgrade to Pro or try again at 12:23 PM.", undefined, "QUOTA"],
    ["Your credit balance is too low to access the Anthropic API.", 400, "QUOTA"],
    ["Claude AI usage limit reached|1767225600", undefined, "QUOTA"],
    ["5-hour limit reached ∙ resets 3pm", undefined, "QUOTA"],
    ["API Error: Request rejected (429) · This request would exceed your account's rate limit.", 429, "QUOTA"],
    ["exceeded retry limit, last status: 429 Too Many Requests, request id: req_j3ckb177ung", undefined, "RATE_LIMIT"],
    ["API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit", 429, "RATE_LIMIT"],
    ["Too Many Requests", undefined, "RATE_LIMIT"],
    ["something the server did not like", 429, "RATE_LIMIT"],
  ] as const)("%s -> %s", (message, status, expected) => {
    const result = classifyError(message, status, now);
    expect(result.errorClass).toBe(expected);
    expect(result.transient).toBe(false);
    expect(result.quota).toMatchObject({ state: "EXHAUSTED", message });
  });

  it.each([
    ["API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.", 529],
    ["unexpected status 529 <unknown status code>: The server is overloaded (fake)., url: http://127.0.0.1:18081/v1/responses", undefined],
    ["API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)", undefined],
    ["Connection failed: error sending request", undefined],
    ["read ECONNRESET", undefined],
    ["socket hang up", undefined],
    ["Request timed out.", undefined],
    ["Bad gateway", 502],
  ] as const)("%s -> NETWORK, transient", (message, status) => {
    expect(classifyError(message, status, now)).toEqual({ errorClass: "NETWORK", transient: true });
  });

  it.each([
    ["Invalid API key · Please run /login", 401],
    ["Invalid auth method selected.", undefined],
    ["[API Error: 401 Incorrect API key provided: sk-fake]", undefined],
    ["API key not valid. Please pass a valid API key.", 400],
    ["anything at all", 403],
  ] as const)("%s -> AUTH, not worth a retry", (message, status) => {
    expect(classifyError(message, status, now)).toEqual({ errorClass: "AUTH", transient: false });
  });

  it.each([
    ["You have exhausted your daily quota on this model.", "QUOTA"],
    ["[API Error: The model is overloaded. Please try again later.]", "NETWORK"],
    ["[API Error: exception TypeError: fetch failed sending request]", "NETWORK"],
    ["Cannot connect to API: Unable to connect. Is the computer able to access the url?", "NETWORK"],
  ] as const)("%s (Gemini, opencode) -> %s", (message, expected) => {
    expect(classifyError(message, undefined, now).errorClass).toBe(expected);
  });

  it("leaves other messages UNKNOWN and not worth a retry", () => {
    expect(classifyError("The model refused the task", undefined, now)).toEqual({ errorClass: "UNKNOWN", transient: false });
  });

  it("puts the reset time on the quota signal", () => {
    const { quota } = classifyError("You’ve hit your usage limit. try again at 12:23 PM.", undefined, now);
    expect(quota?.resetsAt).toEqual(new Date(2026, 10, 24, 12, 23, 0));
  });
});

describe("parseResetTime", () => {
  const later = (ms: number) => new Date(now.getTime() + ms);

  it("reads a clock time later today", () => {
    expect(parseResetTime("visit https://chatgpt.com/settings/usage or try again at 12:23 PM.", now)).toEqual(
      new Date(2026, 10, 24, 12, 23, 0),
    );
  });

  it("moves a clock time that already passed today to tomorrow", () => {
    expect(parseResetTime("try again at 9:05 AM", now)).toEqual(new Date(2026, 10, 25, 9, 5, 0));
    expect(parseResetTime("try again at 11:20 AM", now)).toEqual(new Date(2026, 10, 25, 11, 20, 0));
  });

  it("reads the day Codex names when the reset is not today", () => {
    // Measured: the real Codex CLI at 23:12 with a reset an hour later.
    const message = "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at Dec 1st, 2026 12:12 AM.";
    expect(parseResetTime(message, now)).toEqual(new Date(2026, 11, 1, 0, 12, 0));
    expect(classifyError(message, undefined, now).quota?.resetsAt).toEqual(new Date(2026, 11, 1, 0, 12, 0));
    expect(parseResetTime("try again at Nov 30th, 2026 4:05 PM", now)).toEqual(new Date(2026, 10, 30, 16, 5, 0));
    expect(parseResetTime("try again at Jan 2nd, 2027 9:00 AM", now)).toEqual(new Date(2027, 0, 2, 9, 0, 0));
    // Without a year: the next such day.
    expect(parseResetTime("try again at Feb 3rd 10:30 PM", now)).toEqual(new Date(2027, 1, 3, 22, 30, 0));
    // Not a day of that month, not a clock: nothing is guessed.
    expect(parseResetTime("try again at Feb 30th, 2027 10:30 PM", now)).toBeUndefined();
    expect(parseResetTime("try again at Dec 1st, 2026 13:12 PM", now)).toBeUndefined();
  });

  it("reads 12 AM as midnight, a bare hour with pm and a 24-hour time", () => {
    expect(parseResetTime("try again at 12 AM", now)).toEqual(new Date(2026, 10, 25, 0, 0, 0));
    expect(parseResetTime("5-hour limit reached ∙ resets 3pm", now)).toEqual(new Date(2026, 10, 24, 15, 0, 0));
    expect(parseResetTime("resets at 18:30", now)).toEqual(new Date(2026, 10, 24, 18, 30, 0));
  });

  it("reads relative times", () => {
    expect(parseResetTime("Please try again in 5 minutes.", now)).toEqual(later(5 * 60_000));
    expect(parseResetTime("try again in 30 seconds", now)).toEqual(later(30_000));
    expect(parseResetTime("try again in 2 hours", now)).toEqual(later(2 * 3_600_000));
    expect(parseResetTime("Used 100. Please try again in 1.5s.", now)).toEqual(later(1500));
    expect(parseResetTime("retry after 20 seconds", now)).toEqual(later(20_000));
    expect(parseResetTime("the limit resets in 42 seconds", now)).toEqual(later(42_000));
  });

  it("reads resets_in_seconds fields and Retry-After headers", () => {
    expect(parseResetTime('{"error":{"type":"usage_limit_reached","resets_in_seconds": 3600}}', now)).toEqual(later(3_600_000));
    expect(parseResetTime("429, Retry-After: 17", now)).toEqual(later(17_000));
  });

  it("reads ISO-8601 timestamps and Claude's epoch suffix", () => {
    expect(parseResetTime("limit resets at 2026-11-24T13:00:00Z", now)).toEqual(new Date(Date.UTC(2026, 10, 24, 13, 0, 0)));
    expect(parseResetTime("Claude AI usage limit reached|1767225600", now)).toEqual(new Date(1767225600 * 1000));
  });

  it("returns undefined when no time is given", () => {
    expect(parseResetTime("This request would exceed your account's rate limit. Please try again later.", now)).toBeUndefined();
    expect(parseResetTime("try again in a moment", now)).toBeUndefined();
    expect(parseResetTime("resets 5", now)).toBeUndefined();
  });
});

describe("stderr and summary text", () => {
  it("prefers the line naming an error, else the last line", () => {
    expect(stderrReason(["WARNING: proceeding", "Error: thread/resume failed", "", "   0: <unknown>"])).toBe(
      "Error: thread/resume failed",
    );
    expect(stderrReason(["No conversation found with session ID: abc", ""])).toBe("No conversation found with session ID: abc");
    expect(stderrReason(["", "  "])).toBeUndefined();
  });

  it("flattens and cuts summaries", () => {
    expect(oneLine("a\n  b\tc")).toBe("a b c");
    const long = oneLine("x".repeat(500));
    expect(long).toHaveLength(200);
    expect(long.endsWith("…")).toBe(true);
  });
});

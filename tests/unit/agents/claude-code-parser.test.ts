import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "@/lib/log-events";
import { createClaudeParser, summarizeToolInput } from "@/server/agents/claude-code/parser";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/transcripts/${name}`, import.meta.url), "utf8");
const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

/** Feeds a recorded transcript (and stderr) through a fresh parser, as the executor would. */
function replay(stdout: string[], stderr: string[] = []) {
  const parser = createClaudeParser();
  const events: LogEvent[] = [...stdout.flatMap((line) => parser.pushStdout(line)), ...stderr.flatMap((line) => parser.pushStderr(line))];
  return { parser, events };
}

const ofKind = <K extends LogEvent["kind"]>(events: LogEvent[], kind: K) =>
  events.filter((event): event is Extract<LogEvent, { kind: K }> => event.kind === kind);

describe("Claude Code parser: a normal run", () => {
  const { parser, events } = replay(lines(fixture("claude-transcript.jsonl")));

  it("turns the stream into session, text, tool call, tool result and usage events", () => {
    expect(events).toEqual([
      { kind: "session", sessionId: "cc78e07d-550c-466a-9bf6-8779b1f7397b" },
      { kind: "assistant", text: "I will create the file." },
      { kind: "tool_call", id: "toolu_l9zwnsuvmoi", name: "Write", summary: "/home/dev/demo/wt-claude/hello.txt", status: "running" },
      {
        kind: "tool_result",
        id: "toolu_l9zwnsuvmoi",
        output:
          "File created successfully at: /home/dev/demo/wt-claude/hello.txt (file state is current in your context — no need to Read it back)",
        status: "ok",
      },
      expect.objectContaining({ kind: "assistant" }),
      {
        kind: "usage",
        usage: { inputTokens: 821, outputTokens: 59, cacheReadTokens: 4000, cacheWriteTokens: 2000, costUsd: 0.012048 },
      },
    ]);
  });

  it("judges exit 0 with a successful result DONE, with the run's usage and the cumulative cost", () => {
    expect(parser.finish(0, {})).toEqual({
      status: "DONE",
      sessionId: "cc78e07d-550c-466a-9bf6-8779b1f7397b",
      usage: { inputTokens: 821, outputTokens: 59, cacheReadTokens: 4000, cacheWriteTokens: 2000, costUsd: 0.012048 },
      cumulative: { costUsd: 0.012048 },
    });
  });
});

describe("Claude Code parser: a resumed run", () => {
  const resume = lines(fixture("claude-transcript-resume.jsonl"));
  const previous = { costUsd: 0.012048 };

  it("reports this invocation's tokens and cost, not the session's totals", () => {
    const { parser } = replay(resume);
    const verdict = parser.finish(0, previous);
    expect(verdict.status).toBe("DONE");
    expect(verdict.sessionId).toBe("cc78e07d-550c-466a-9bf6-8779b1f7397b");
    expect(verdict.usage).toEqual({ inputTokens: 871, outputTokens: 59, cacheReadTokens: 4000, cacheWriteTokens: 2000, costUsd: 0.012198 });
    expect(verdict.cumulative).toEqual({ costUsd: 0.024245999999999997 });
  });

  it("subtracts the previous cumulative cost when the CLI gives no per-invocation figures", () => {
    const stripped = resume.map((line) => {
      const json = JSON.parse(line);
      if (json.type === "result") delete json.model_usage_since_last_result;
      return JSON.stringify(json);
    });
    const verdict = replay(stripped).parser.finish(0, previous);
    expect(verdict.usage.costUsd).toBeCloseTo(0.012198, 9);
    expect(verdict.usage.inputTokens).toBe(871);
  });
});

describe("Claude Code parser: permissions and limits", () => {
  it("shows a denied Write as denied, and the run still DONE", () => {
    const { parser, events } = replay(lines(fixture("claude-perm-default.jsonl")));
    expect(ofKind(events, "tool_result")).toEqual([
      {
        kind: "tool_result",
        id: "toolu_xdafiml8com",
        output: "Claude requested permissions to write to /home/dev/demo/wt-claude/p1.txt, but you haven't granted it yet.",
        status: "denied",
      },
    ]);
    expect(parser.finish(0, {}).status).toBe("DONE");
  });

  it("recognizes a denial from the tool result's metadata alone", () => {
    const withoutNotice = lines(fixture("claude-perm-default.jsonl")).filter((line) => !line.includes('"permission_denied"'));
    expect(ofKind(replay(withoutNotice).events, "tool_result")[0].status).toBe("denied");
  });

  it("fails a run that reached --max-turns", () => {
    const { parser, events } = replay(lines(fixture("claude-maxturns.jsonl")));
    expect(ofKind(events, "error")).toEqual([{ kind: "error", message: "Reached maximum number of turns (1)", fatal: true }]);
    expect(parser.finish(1, {})).toMatchObject({
      status: "FAILED",
      errorClass: "CODE",
      reason: "Reached maximum number of turns (1)",
      usage: { inputTokens: 403, outputTokens: 42, costUsd: 0.006189 },
    });
  });
});

describe("Claude Code parser: API errors", () => {
  it("reports retries and a 429 rate limit once, with a quota signal", () => {
    const { parser, events } = replay(lines(fixture("claude-err-429.jsonl")));
    expect(ofKind(events, "system").map((event) => event.message)).toEqual([
      "API retry 1/2 after status 429 (rate_limit)",
      "API retry 2/2 after status 429 (rate_limit)",
    ]);
    const message =
      "API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit (fake)";
    expect(ofKind(events, "error")).toEqual([{ kind: "error", message, fatal: true }]);
    expect(ofKind(events, "assistant")).toEqual([]);
    const verdict = parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "RATE_LIMIT", transient: false, reason: message });
    expect(verdict.quota).toEqual({ state: "EXHAUSTED", message });
    expect(verdict.usage.costUsd).toBe(0);
  });

  it("marks 529 overloaded as a transient network failure", () => {
    const verdict = replay(lines(fixture("claude-err-529.jsonl"))).parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "NETWORK", transient: true });
    expect(verdict.reason).toMatch(/^API Error: 529 Overloaded/);
    expect(verdict.quota).toBeUndefined();
  });

  it("classifies the account limit answer as QUOTA", () => {
    const verdict = replay(lines(fixture("claude-err-QUOTA.jsonl"))).parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "QUOTA", transient: false });
    expect(verdict.quota).toEqual({
      state: "EXHAUSTED",
      message: "API Error: Request rejected (429) · This request would exceed your account's rate limit. Please try again later.",
    });
  });

  it("marks a refused connection as a transient network failure", () => {
    const { parser, events } = replay(lines(fixture("claude-err-conn.jsonl")));
    expect(ofKind(events, "system")[0].message).toBe("API retry 1/1 after no status (unknown)");
    expect(parser.finish(1, {})).toMatchObject({
      status: "FAILED",
      errorClass: "NETWORK",
      transient: true,
      reason: "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
    });
  });

  it("keeps the previous cumulative cost when an error result reports none", () => {
    const verdict = replay(lines(fixture("claude-err-529.jsonl"))).parser.finish(1, { costUsd: 0.5 });
    expect(verdict.cumulative).toEqual({ costUsd: 0.5 });
    expect(verdict.usage.costUsd).toBe(0);
  });
});

describe("Claude Code parser: failures of the CLI itself", () => {
  it("flags an unknown session id", () => {
    const { parser } = replay(lines(fixture("claude-run6-badid.jsonl")), lines(fixture("claude-run6.stderr.txt")));
    const verdict = parser.finish(1, { costUsd: 0.2 });
    expect(verdict).toMatchObject({
      status: "FAILED",
      sessionNotFound: true,
      errorClass: "TOOL",
      reason: "No conversation found with session ID: 00000000-0000-4000-8000-000000000000",
      cumulative: { costUsd: 0.2 },
    });
    expect(verdict.sessionId).toBeUndefined();
  });

  it("fails with the stderr text when there is no result line", () => {
    const { parser, events } = replay([], lines(fixture("claude-noverbose.stderr.txt")));
    expect(events).toEqual([
      { kind: "raw", stream: "stderr", line: "Error: When using --print, --output-format=stream-json requires --verbose" },
    ]);
    expect(parser.finish(1, {})).toEqual({
      status: "FAILED",
      errorClass: "TOOL",
      transient: false,
      reason: "Error: When using --print, --output-format=stream-json requires --verbose",
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
      cumulative: { costUsd: 0 },
    });
  });

  it("does not call a nonzero exit DONE even after a successful result", () => {
    const verdict = replay(lines(fixture("claude-transcript.jsonl")), ["Killed"]).parser.finish(137, {});
    expect(verdict).toMatchObject({ status: "FAILED", reason: "Killed" });
  });
});

describe("Claude Code parser: other lines", () => {
  it("drops partial stream events and reads the complete messages", () => {
    const { parser, events } = replay(lines(fixture("claude-partial.jsonl")));
    expect(events.map((event) => event.kind)).toEqual(["session", "assistant", "tool_call", "tool_result", "assistant", "usage"]);
    expect(ofKind(events, "tool_call")[0].summary).toBe("/home/dev/demo/wt-claude/partial.txt");
    expect(parser.finish(0, {}).usage.costUsd).toBe(0.012053999999999999);
  });

  it("keeps garbage and unknown lines as raw events and never throws", () => {
    const garbage = ["not json at all", "[1,2,3]", "42", '{"type":"brand_new"}', '{"type":"system","subtype":"later_feature"}', "{broken"];
    const { parser, events } = replay(["", ...garbage]);
    expect(events).toEqual(garbage.map((line) => ({ kind: "raw", stream: "stdout", line })));
    expect(parser.finish(0, {}).status).toBe("FAILED");
  });

  it("shows thinking blocks", () => {
    const line = JSON.stringify({ type: "assistant", message: { content: [{ type: "thinking", thinking: "Let me look." }] } });
    expect(replay([line]).events).toEqual([{ kind: "thinking", text: "Let me look." }]);
  });

  it("summarizes tool inputs by their most telling field", () => {
    expect(summarizeToolInput({ command: "npm test\n  -- --run", description: "Run tests" })).toBe("npm test -- --run");
    expect(summarizeToolInput({ pattern: "TODO", path: "src" })).toBe("TODO");
    expect(summarizeToolInput({ path: "src" })).toBe("src");
    expect(summarizeToolInput({ todos: [{ content: "x" }] })).toBe('{"todos":[{"content":"x"}]}');
    expect(summarizeToolInput({ command: "y".repeat(400) })).toHaveLength(200);
  });
});

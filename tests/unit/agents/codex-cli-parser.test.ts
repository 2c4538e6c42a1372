import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "@/lib/log-events";
import { createCodexParser } from "@/server/agents/codex-cli/parser";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/transcripts/${name}`, import.meta.url), "utf8");
const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

/** Feeds a recorded transcript (and stderr) through a fresh parser, as the executor would. */
function replay(stdout: string[], stderr: string[] = []) {
  const parser = createCodexParser();
  const events: LogEvent[] = [...stdout.flatMap((line) => parser.pushStdout(line)), ...stderr.flatMap((line) => parser.pushStderr(line))];
  return { parser, events };
}

const ofKind = <K extends LogEvent["kind"]>(events: LogEvent[], kind: K) =>
  events.filter((event): event is Extract<LogEvent, { kind: K }> => event.kind === kind);

const THREAD = "01a20d4e-e499-7671-b5d6-0588691007c9";
const FRESH_TOTALS = { inputTokens: 2429, cachedInputTokens: 600, cacheWriteInputTokens: 0, outputTokens: 55, reasoningOutputTokens: 14 };

describe("Codex parser: a fresh run", () => {
  const { parser, events } = replay(lines(fixture("codex-transcript.jsonl")));

  it("turns the stream into session, a shell call with its result, and the final message", () => {
    expect(events).toEqual([
      { kind: "session", sessionId: THREAD },
      {
        kind: "tool_call",
        id: "item_0",
        name: "shell",
        summary: `/bin/bash -lc "printf '%s\\\\n' 'hello from fake codex model (4 input items)' > hello.txt && ls -la hello.txt"`,
        status: "running",
      },
      { kind: "tool_result", id: "item_0", output: "-rw-r--r-- 1 root root 44 Nov 24 11:26 hello.txt\n", status: "ok" },
      { kind: "assistant", text: expect.stringMatching(/^Done\. Tool output was: Chunk ID: fb016c/) },
    ]);
  });

  it("judges the completed turn DONE; input tokens exclude the cached ones; no cost", () => {
    expect(parser.finish(0, {})).toEqual({
      status: "DONE",
      sessionId: THREAD,
      usage: { inputTokens: 1829, outputTokens: 55, cacheReadTokens: 600, cacheWriteTokens: 0, costUsd: 0 },
      cumulative: FRESH_TOTALS,
    });
  });
});

describe("Codex parser: a resumed run", () => {
  const { parser, events } = replay(lines(fixture("codex-transcript-resume.jsonl")));

  it("shows an apply_patch file change as one call with its result", () => {
    expect(events.slice(1, 3)).toEqual([
      { kind: "tool_call", id: "item_0", name: "apply_patch", summary: "add /home/dev/demo/wt-codex2/second.txt", status: "running" },
      { kind: "tool_result", id: "item_0", output: "add /home/dev/demo/wt-codex2/second.txt", status: "ok" },
    ]);
  });

  it("turns the thread's cumulative counters into this run's figures", () => {
    const verdict = parser.finish(0, FRESH_TOTALS);
    expect(verdict.usage).toEqual({ inputTokens: 1879, outputTokens: 55, cacheReadTokens: 600, cacheWriteTokens: 0, costUsd: 0 });
    expect(verdict.cumulative).toEqual({
      inputTokens: 4908,
      cachedInputTokens: 1200,
      cacheWriteInputTokens: 0,
      outputTokens: 110,
      reasoningOutputTokens: 28,
    });
  });
});

describe("Codex parser: failed turns", () => {
  it("reports a 429 once as a fatal error and classifies it RATE_LIMIT", () => {
    const message = "exceeded retry limit, last status: 429 Too Many Requests, request id: req_j3ckb177ung";
    const { parser, events } = replay(lines(fixture("codex-err-429.jsonl")), lines(fixture("codex-err-429.stderr.txt")));
    expect(ofKind(events, "error")).toEqual([{ kind: "error", message, fatal: true }]);
    const verdict = parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "RATE_LIMIT", transient: false, reason: message });
    expect(verdict.quota).toEqual({ state: "EXHAUSTED", message });
    expect(verdict.sessionId).toBe("01a20d4c-0d2c-7f41-98f2-94769ac711eb");
  });

  it("reads the retry delay of a TPM rate limit", () => {
    const before = Date.now();
    const verdict = replay(lines(fixture("codex-err-FAILED.jsonl"))).parser.finish(1, {});
    expect(verdict.errorClass).toBe("RATE_LIMIT");
    const resetsAt = verdict.quota?.resetsAt?.getTime() ?? 0;
    expect(resetsAt - before).toBeGreaterThanOrEqual(1500);
    expect(resetsAt - Date.now()).toBeLessThanOrEqual(1500);
  });

  it("classifies an exhausted quota", () => {
    const verdict = replay(lines(fixture("codex-err-QUOTA.jsonl"))).parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "QUOTA", reason: "Quota exceeded. Check your plan and billing details." });
    expect(verdict.quota?.resetsAt).toBeUndefined();
  });

  it("classifies a usage limit with the next 12:23 PM as its reset time", () => {
    const verdict = replay(lines(fixture("codex-err-USAGE_LIMIT.jsonl")), lines(fixture("codex-err-USAGE_LIMIT.stderr.txt"))).parser.finish(1, {});
    expect(verdict.errorClass).toBe("QUOTA");
    const resetsAt = verdict.quota?.resetsAt;
    expect(resetsAt?.getHours()).toBe(12);
    expect(resetsAt?.getMinutes()).toBe(23);
    const ahead = (resetsAt?.getTime() ?? 0) - Date.now();
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it.each([
    ["codex-err-529.jsonl", /^unexpected status 529/],
    ["codex-err-conn2.jsonl", /^Connection failed: error sending request$/],
  ])("marks %s as a transient network failure", (file, reason) => {
    const verdict = replay(lines(fixture(file))).parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "NETWORK", transient: true });
    expect(verdict.reason).toMatch(reason);
  });

  it("keeps the previous snapshot when the turn failed", () => {
    const verdict = replay(lines(fixture("codex-err-conn2.jsonl"))).parser.finish(1, FRESH_TOTALS);
    expect(verdict.cumulative).toEqual(FRESH_TOTALS);
    expect(verdict.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 });
  });
});

describe("Codex parser: failures of the CLI itself", () => {
  it("flags an unknown thread id from stderr", () => {
    const { parser } = replay([], lines(fixture("codex-badid.stderr.txt")));
    const verdict = parser.finish(1, FRESH_TOTALS);
    expect(verdict).toMatchObject({
      status: "FAILED",
      sessionNotFound: true,
      errorClass: "TOOL",
      reason: "thread/resume: thread/resume failed: no rollout found for thread id 01a20d4b-0000-7000-8000-000000000000 (code -32600)",
      cumulative: FRESH_TOTALS,
    });
    expect(verdict.sessionId).toBeUndefined();
  });

  it("fails a process that exited before finishing its turn", () => {
    const transcript = lines(fixture("codex-transcript.jsonl")).slice(0, 3);
    const verdict = replay(transcript, ["Killed"]).parser.finish(null, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "TOOL", reason: "Killed" });
  });
});

describe("Codex parser: other lines", () => {
  it("keeps garbage and unknown lines as raw events and never throws", () => {
    const garbage = ["Reading additional input from stdin...", "[]", "null", '{"type":"thread.archived"}', '{"type":"item.completed","item":{"type":"hologram"}}'];
    const { events } = replay(["  ", ...garbage]);
    expect(events).toEqual(garbage.map((line) => ({ kind: "raw", stream: "stdout", line })));
  });

  it("shows error items and reconnect notices without failing the turn", () => {
    const { parser, events } = replay([
      '{"type":"thread.started","thread_id":"t1"}',
      '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model fell back to gpt-5.5"}}',
      '{"type":"error","message":"Reconnecting... 1/5"}',
      '{"type":"item.completed","item":{"id":"item_1","type":"reasoning","text":"Thinking it over"}}',
      '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":2}}',
    ]);
    expect(events.slice(1)).toEqual([
      { kind: "error", message: "Model fell back to gpt-5.5", fatal: false },
      { kind: "error", message: "Reconnecting... 1/5", fatal: false },
      { kind: "thinking", text: "Thinking it over" },
    ]);
    expect(parser.finish(0, {}).status).toBe("DONE");
  });

  it("shows a failed command as an error and a declined one as denied", () => {
    const item = (id: string, status: string, exitCode: number | null) =>
      JSON.stringify({ type: "item.completed", item: { id, type: "command_execution", command: "rm -rf /", aggregated_output: "no", exit_code: exitCode, status } });
    const results = ofKind(replay([item("a", "failed", 1), item("b", "declined", null)]).events, "tool_result");
    expect(results.map((event) => [event.id, event.status])).toEqual([
      ["a", "error"],
      ["b", "denied"],
    ]);
  });
});

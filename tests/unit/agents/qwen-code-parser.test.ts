import { describe, expect, it } from "vitest";
import { createQwenParser } from "@/server/agents/qwen-code/parser";
import { ofKind, replay, transcript } from "./transcript";

const SESSION = "7e0c9afc-9ece-4408-b99b-0ee4ff54606a";

describe("Qwen Code parser: a fresh run", () => {
  const { parser, events } = replay(createQwenParser(), transcript("qwen-transcript.jsonl"));

  it("gives the session, the write_file call and result, the final text and the run's usage", () => {
    expect(events).toEqual([
      { kind: "session", sessionId: SESSION },
      { kind: "tool_call", id: "call_cop73l2ptfd", name: "write_file", summary: "/home/dev/demo/hello.txt", status: "running" },
      { kind: "tool_result", id: "call_cop73l2ptfd", output: "Successfully created and wrote to new file: /home/dev/demo/hello.txt.", status: "ok" },
      { kind: "assistant", text: "Done. Tool output was: Successfully created and wrote to new file: /home/dev/demo/hello.txt." },
      { kind: "usage", usage: { inputTokens: 2343, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 } },
    ]);
  });

  it("judges it DONE; input tokens exclude the cached ones; the session's counters are kept", () => {
    expect(parser.finish(0, {})).toEqual({
      status: "DONE",
      sessionId: SESSION,
      usage: { inputTokens: 2343, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 },
      cumulative: { input_tokens: 2543, output_tokens: 42, cache_read_input_tokens: 200 },
    });
  });
});

describe("Qwen Code parser: a resumed run", () => {
  it("reports this run's own figures although result.usage is cumulative for the session (5120 = 2543 + 2577)", () => {
    const first = replay(createQwenParser(), transcript("qwen-transcript.jsonl")).parser.finish(0, {});
    const { parser } = replay(createQwenParser(), transcript("qwen-transcript-resume.jsonl"));
    const verdict = parser.finish(0, first.cumulative);
    expect(verdict).toMatchObject({ status: "DONE", sessionId: SESSION });
    expect(verdict.usage).toEqual({ inputTokens: 2577 - 200, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 });
    // The per-run figure equals the difference of the CLI's own cumulative counters.
    expect(verdict.cumulative.input_tokens! - first.cumulative.input_tokens!).toBe(verdict.usage.inputTokens + verdict.usage.cacheReadTokens);
  });
});

describe("Qwen Code parser: failures", () => {
  it("a 429 is RATE_LIMIT with the reset time, the error shown once, the retry noted", () => {
    const { parser, events } = replay(createQwenParser(), transcript("qwen-err-429.jsonl"));
    expect(ofKind(events, "error")).toHaveLength(1);
    expect(ofKind(events, "assistant")).toHaveLength(0);
    expect(ofKind(events, "system")).toEqual([{ kind: "system", message: "API retry 1/1 in 1000 ms" }]);
    const before = Date.now();
    const verdict = parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "RATE_LIMIT", transient: false });
    expect(verdict.reason).toContain("[API Error: 429 Rate limit reached for requests (fake)");
    expect(verdict.quota!.resetsAt!.getTime()).toBeGreaterThanOrEqual(before + 1000);
  });

  it("an unknown session id asks for a fresh session", () => {
    const stderr = ["No saved session found with ID 00000000-0000-4000-8000-000000000000. Run `qwen --resume` without an ID to choose from existing sessions."];
    const verdict = replay(createQwenParser(), [], stderr).parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "TOOL", sessionNotFound: true });
  });

  it("a dropped connection is NETWORK and transient; a 401 is AUTH", () => {
    const result = (message: string) => JSON.stringify({ type: "result", subtype: "error_during_execution", is_error: true, usage: {}, error: { message } });
    const down = replay(createQwenParser(), [result("[API Error: Connection error. (cause: connect ECONNREFUSED 127.0.0.1:9)]")]).parser.finish(1, {});
    expect(down).toMatchObject({ errorClass: "NETWORK", transient: true });
    const auth = replay(createQwenParser(), [result("[API Error: 401 Incorrect API key provided]")]).parser.finish(1, {});
    expect(auth).toMatchObject({ errorClass: "AUTH", transient: false });
  });
});

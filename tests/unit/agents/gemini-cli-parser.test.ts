import { describe, expect, it } from "vitest";
import { createGeminiParser } from "@/server/agents/gemini-cli/parser";
import { ofKind, replay, transcript } from "./transcript";

const SESSION = "f2b6ba9c-b82f-4edb-862d-31d0d6c003f1";

describe("Gemini CLI parser: a fresh run", () => {
  const { parser, events } = replay(createGeminiParser(), transcript("gemini-transcript.jsonl"));

  it("gives the session, the write_file call with its result, and the delta chunks joined into one text", () => {
    expect(events).toEqual([
      { kind: "session", sessionId: SESSION },
      { kind: "tool_call", id: "write_file__write_file_1796009119831_0", name: "write_file", summary: "hello.txt", status: "running" },
      { kind: "tool_result", id: "write_file__write_file_1796009119831_0", output: "", status: "ok" },
      {
        kind: "assistant",
        text: 'Done. Tool output was: {"output":"Successfully created and wrote to new file: /home/dev/demo/hello.txt. Here is the updated code:\\nhello from fake gemini model (1 c',
      },
      { kind: "usage", usage: { inputTokens: 3053, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 } },
    ]);
  });

  it("judges the success result DONE with this invocation's figures", () => {
    expect(parser.finish(0, {})).toEqual({
      status: "DONE",
      sessionId: SESSION,
      usage: { inputTokens: 3053, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 },
      cumulative: {},
    });
  });
});

describe("Gemini CLI parser: a resumed run", () => {
  it("keeps the session id and reports the resumed invocation's own stats, not the session's", () => {
    const { parser } = replay(createGeminiParser(), transcript("gemini-transcript-resume.jsonl"));
    const verdict = parser.finish(0, {});
    expect(verdict).toMatchObject({ status: "DONE", sessionId: SESSION });
    expect(verdict.usage).toEqual({ inputTokens: 3105, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 });
  });
});

describe("Gemini CLI parser: failures", () => {
  it("a 429 after retries is QUOTA with the retry time, whatever the exit code (173)", () => {
    const stderr = transcript("gemini-err-429.stderr.txt");
    const { parser, events } = replay(createGeminiParser(), transcript("gemini-err-429.jsonl"), stderr);
    expect(ofKind(events, "error")).toEqual([{ kind: "error", message: expect.stringContaining("You exceeded your current quota"), fatal: true }]);
    const before = Date.now();
    const verdict = parser.finish(173, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "QUOTA", transient: false, sessionId: "9e6bfd12-d460-4f71-a7c0-75ca93d9a663" });
    const resetsAt = verdict.quota!.resetsAt!.getTime();
    expect(resetsAt).toBeGreaterThanOrEqual(before + 2000);
    expect(resetsAt).toBeLessThan(Date.now() + 3000);
  });

  it("an overloaded model is NETWORK and worth a retry", () => {
    const result = { type: "result", status: "error", error: { type: "unknown", message: "[API Error: The model is overloaded. Please try again later.]" }, stats: {} };
    const { parser } = replay(createGeminiParser(), [JSON.stringify(result)]);
    expect(parser.finish(247, {})).toMatchObject({ status: "FAILED", errorClass: "NETWORK", transient: true });
  });

  it("a server that is down is NETWORK", () => {
    const result = { type: "result", status: "error", error: { message: "[API Error: exception TypeError: fetch failed sending request]" }, stats: {} };
    expect(replay(createGeminiParser(), [JSON.stringify(result)]).parser.finish(1, {})).toMatchObject({ errorClass: "NETWORK", transient: true });
  });

  it("an unknown session id asks for a fresh session", () => {
    const { parser } = replay(createGeminiParser(), [], ["Error resuming session: Invalid session identifier 00000000-0000-4000-8000-000000000000"]);
    expect(parser.finish(42, {})).toMatchObject({ status: "FAILED", errorClass: "TOOL", sessionNotFound: true });
    expect(parser.finish(42, {}).sessionId).toBeUndefined();
  });

  it("a refused auth method is AUTH; an exit 0 without a result is not DONE", () => {
    expect(replay(createGeminiParser(), [], ["Invalid auth method selected."]).parser.finish(41, {})).toMatchObject({ status: "FAILED", errorClass: "AUTH" });
    expect(replay(createGeminiParser(), [transcript("gemini-transcript.jsonl")[0]!]).parser.finish(0, {})).toMatchObject({ status: "FAILED", errorClass: "TOOL" });
  });

  it("keeps lines it does not know as raw, never throws", () => {
    const { events } = replay(createGeminiParser(), ["not json", '{"type":"mystery"}', "[1,2]"]);
    expect(events.map((event) => event.kind)).toEqual(["raw", "raw", "raw"]);
  });
});

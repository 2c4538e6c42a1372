import { describe, expect, it } from "vitest";
import { createOpencodeParser } from "@/server/agents/opencode/parser";
import { ofKind, replay, transcript } from "./transcript";

const SESSION = "ses_dd582ddccffeu18HPJ7IevoDUo";

describe("opencode parser: a fresh run", () => {
  const { parser, events } = replay(createOpencodeParser(), transcript("opencode-transcript.jsonl"));

  it("gives the session, the finished write call with its result, the text, and running usage per step", () => {
    expect(events.filter((event) => event.kind !== "usage")).toEqual([
      { kind: "session", sessionId: SESSION },
      { kind: "tool_call", id: "call_s3u67nmu5nf", name: "write", summary: "/home/dev/demo/hello.txt", status: "running" },
      { kind: "tool_result", id: "call_s3u67nmu5nf", output: "Wrote file successfully.", status: "ok" },
      { kind: "assistant", text: "Done. Tool output was: Wrote file successfully." },
    ]);
    expect(ofKind(events, "usage").at(-1)!.usage).toEqual({ inputTokens: 1099, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 });
  });

  it("sums the steps: DONE after the step that stopped", () => {
    expect(parser.finish(0, {})).toEqual({
      status: "DONE",
      sessionId: SESSION,
      usage: { inputTokens: 545 + 554, outputTokens: 30 + 12, cacheReadTokens: 200, cacheWriteTokens: 0, costUsd: 0 },
      cumulative: {},
    });
  });

  it("adds the reported cost of each step", () => {
    const step = (cost: number, reason: string) =>
      JSON.stringify({ type: "step_finish", sessionID: SESSION, part: { reason, cost, tokens: { input: 10, output: 5, reasoning: 2, cache: { read: 1, write: 3 } } } });
    const verdict = replay(createOpencodeParser(), [step(0.0012, "tool-calls"), step(0.0008, "stop")]).parser.finish(0, {});
    expect(verdict.usage).toEqual({ inputTokens: 20, outputTokens: 14, cacheReadTokens: 2, cacheWriteTokens: 6, costUsd: expect.closeTo(0.002, 10) });
  });
});

describe("opencode parser: a resumed run", () => {
  it("keeps the session and counts only its own steps", () => {
    const verdict = replay(createOpencodeParser(), transcript("opencode-transcript-resume.jsonl")).parser.finish(0, {});
    expect(verdict).toMatchObject({ status: "DONE", sessionId: SESSION });
    expect(verdict.usage).toMatchObject({ inputTokens: 557 + 566, outputTokens: 42, cacheReadTokens: 200 });
  });
});

describe("opencode parser: failures", () => {
  it("a 429 error event is RATE_LIMIT with the retry-after time", () => {
    const { parser, events } = replay(createOpencodeParser(), transcript("opencode-err-429.jsonl"));
    expect(ofKind(events, "error")).toEqual([{ kind: "error", message: "Rate limit reached for requests (fake). Please try again in 1s. (retry-after: 1)", fatal: true }]);
    const before = Date.now();
    const verdict = parser.finish(1, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "RATE_LIMIT", sessionId: "ses_dd582cae5ffeOUREuTkO99LIVg" });
    expect(verdict.quota!.resetsAt!.getTime()).toBeGreaterThanOrEqual(before + 1000);
  });

  it("a run that stops after a tool call (a rejected permission) is not DONE, though it exits 0", () => {
    const lines = transcript("opencode-transcript.jsonl").slice(0, 3);
    const verdict = replay(createOpencodeParser(), lines, ["! permission requested: edit (x.txt); auto-rejecting"]).parser.finish(0, {});
    expect(verdict).toMatchObject({ status: "FAILED", errorClass: "TOOL" });
    expect(verdict.reason).toContain("permission requested: edit (x.txt)");
  });

  it("an unknown session (ANSI-coloured stderr) asks for a fresh session; a dead server is NETWORK", () => {
    const gone = replay(createOpencodeParser(), [], ["\u001b[91m\u001b[1mError: \u001b[0mSession not found"]).parser.finish(1, {});
    expect(gone).toMatchObject({ status: "FAILED", sessionNotFound: true });
    const error = { type: "error", sessionID: SESSION, error: { name: "APIError", data: { message: "Cannot connect to API: Unable to connect. Is the computer able to access the url?", statusCode: null } } };
    expect(replay(createOpencodeParser(), [JSON.stringify(error)]).parser.finish(1, {})).toMatchObject({ errorClass: "NETWORK", transient: true });
  });
});

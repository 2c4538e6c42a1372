import { describe, expect, it } from "vitest";
import type { StoredLogEvent } from "@/lib/schemas/logs";
import { agentTokenFrom, agentTokenHash, newAgentToken } from "@/server/auth/agent-token";
import { cutText, logLine, logLines, MAX_LOG_LINE_CHARS, MAX_LOG_LINES, toolError } from "@/server/mcp/format";

const at = (event: object, seq = 1) => ({ ...event, seq, ts: "2026-01-01T00:00:00.000Z" }) as StoredLogEvent;

describe("MCP results sized for a model", () => {
  it("cuts long text with a note saying how to get more, and leaves short text alone", () => {
    expect(cutText("short", 10, "more")).toEqual({ text: "short", note: null });
    const cut = cutText("x".repeat(50), 20, "call get_diff with offset 20 for more.");
    expect(cut.text).toHaveLength(20);
    expect(cut.note).toBe("Cut at 20 of 50 characters; call get_diff with offset 20 for more.");
  });

  it("renders one short line per readable event and keeps only the last lines", () => {
    expect(logLine(at({ kind: "assistant", text: "Hello\n  world" }))).toBe("assistant: Hello world");
    expect(logLine(at({ kind: "tool_call", id: "t", name: "Write", summary: "a.txt", status: "ok" }))).toBe("tool Write [ok]: a.txt");
    expect(logLine(at({ kind: "tool_result", id: "t", output: "fine", status: "ok" }))).toBeNull();
    expect(logLine(at({ kind: "tool_result", id: "t", output: "nope", status: "error" }))).toBe("tool result [error]: nope");
    expect(logLine(at({ kind: "error", message: "boom", fatal: true }))).toBe("error (fatal): boom");
    expect(logLine(at({ kind: "line", stream: "stdout", line: "{}" }))).toBeNull();
    expect(logLine(at({ kind: "assistant", text: "y".repeat(1000) }))!.length).toBe("assistant: ".length + MAX_LOG_LINE_CHARS + 1);
    const many = Array.from({ length: 50 }, (_, index) => at({ kind: "system", message: `step ${index}` }, index + 1));
    const lines = logLines(many);
    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect(lines.at(-1)).toBe("system: step 49");
  });

  it("an error result carries its code in the text and the structured content", () => {
    expect(toolError("conflict:subtask_limit", "Too many.")).toEqual({
      content: [{ type: "text", text: "Error (conflict:subtask_limit): Too many." }],
      structuredContent: { error: { code: "conflict:subtask_limit", message: "Too many." } },
      isError: true,
    });
  });
});

describe("agent tokens", () => {
  it("are random, recognized only in their exact shape, and stored as a hash", () => {
    const token = newAgentToken();
    expect(token).toMatch(/^ais_task_[\w-]{43}$/);
    expect(newAgentToken()).not.toBe(token);
    expect(agentTokenFrom(`Bearer ${token}`)).toBe(token);
    expect(agentTokenFrom(`bearer   ${token}`)).toBe(token);
    expect(agentTokenFrom(token)).toBeNull();
    expect(agentTokenFrom(`Bearer ${token}x`)).toBeNull();
    expect(agentTokenFrom("Bearer some-server-token")).toBeNull();
    expect(agentTokenFrom(null)).toBeNull();
    expect(agentTokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(agentTokenHash(token)).not.toContain(token.slice(9));
  });
});

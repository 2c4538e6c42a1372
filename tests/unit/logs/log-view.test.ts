import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LogModel } from "@/components/logs/log-model";
import { rawText } from "@/components/logs/log-rows";
import { Markdown } from "@/components/logs/markdown";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";

// The viewer's logic without a browser: what rows the events make, and what HTML the markdown gives.

let seq = 0;
function stored(event: LogEvent, line?: string): StoredLogEvent {
  seq += 1;
  return { ...event, seq, ts: "2026-11-24T12:00:00.000Z", ...(line !== undefined ? { line } : {}) };
}

describe("log view model", () => {
  it("updates a tool call's status in place when its result arrives, and hides what has no row of its own", () => {
    const model = new LogModel();
    model.startRun(7);
    model.addEvents(7, [
      stored({ kind: "session", sessionId: "s" }),
      stored({ kind: "assistant", text: "Running the tests." }, '{"type":"assistant"}'),
      stored({ kind: "tool_call", id: "t1", name: "Bash", summary: "npm test", status: "running" }),
      stored({ kind: "line", stream: "stdout", line: '{"type":"system","subtype":"status"}' }),
    ]);
    const call = model.rows.find((row) => row.type === "tool");
    expect(call).toMatchObject({ status: "running" });
    const rowsBefore = model.rows.length;
    model.addEvents(7, [
      stored({ kind: "tool_result", id: "t1", output: "1 failed", status: "error" }),
      stored({ kind: "usage", usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1, cacheWriteTokens: 2, costUsd: 0.5 } }),
    ]);
    expect(model.rows.length).toBe(rowsBefore);
    expect(model.rows.map((row) => (row.type === "event" ? row.event.kind : row.type))).toEqual(["run", "assistant", "tool"]);
    expect(model.rows[2]).toMatchObject({ type: "tool", status: "error", result: { output: "1 failed" } });
    expect(model.rows[2]).not.toBe(call);
    expect(model.rawRows.map((row) => row.event.kind)).toEqual(["session", "assistant", "tool_call", "line", "tool_result", "usage"]);
    expect(model.usage).toMatchObject({ inputTokens: 10, costUsd: 0.5 });
    model.setRunUsage(7, { inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 2 });
    expect(model.usage).toMatchObject({ inputTokens: 100, costUsd: 2 });
  });

  it("ignores replayed events and repeated run markers", () => {
    const model = new LogModel();
    const events = [stored({ kind: "system", message: "a" }), stored({ kind: "system", message: "b" })];
    model.startRun(1);
    model.addEvents(1, events);
    model.startRun(1);
    model.addEvents(1, events);
    expect(model.rows.map((row) => row.key)).toEqual(["run-1", `1:${events[0]!.seq}`, `1:${events[1]!.seq}`]);
  });

  it("keeps at most the cap of events, dropping the oldest", () => {
    const model = new LogModel(1000);
    for (let batch = 0; batch < 5; batch += 1) {
      model.addEvents(1, Array.from({ length: 400 }, (_, index) => stored({ kind: "assistant", text: `m${batch * 400 + index}` })));
    }
    expect(model.eventCount).toBeLessThanOrEqual(1000);
    expect(model.dropped + model.eventCount).toBe(2000);
    expect(model.rows.length).toBe(model.eventCount);
    expect(model.rows.at(-1)).toMatchObject({ event: { text: "m1999" } });
    expect(model.rows[0]).toMatchObject({ key: model.rawRows[0]!.key });
  });

  it("shows each event's output line in the raw view", () => {
    expect(rawText(stored({ kind: "assistant", text: "hi" }, '{"type":"assistant","x":1}'))).toBe('{"type":"assistant","x":1}');
    expect(rawText(stored({ kind: "raw", stream: "stderr", line: "warning: x" }))).toBe("warning: x");
    expect(rawText(stored({ kind: "system", message: "Worktree created." }))).toBe('{"kind":"system","message":"Worktree created."}');
  });
});

describe("log markdown", () => {
  const render = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

  it("renders paragraphs, code blocks, inline code, bold, lists and links", () => {
    const text = "I **fixed** the `parser`.\n\n```ts\nconst a = 1 < 2;\n```\n\n- one\n- two [docs](https://example.com/a)\n\n1. first\n2. second";
    const html = render(text);
    expect(html).toContain("<strong>fixed</strong>");
    expect(html).toContain(">parser</code>");
    expect(html).toMatch(/<pre[^>]*><code[^>]*>const a = 1 &lt; 2;\n<\/code><\/pre>/);
    expect(html).toMatch(/<ul class="my-1 grid gap-0.5 pl-5 list-disc">\s*<li>one<\/li>/);
    expect(html).toContain('href="https://example.com/a"');
    expect(html).toMatch(/<ol[^>]*>\s*<li>first<\/li>\s*<li>second<\/li>\s*<\/ol>/);
  });

  it("renders GitHub tables, nested lists and strikethrough", () => {
    const html = render("| file | lines |\n| --- | ---: |\n| a.ts | 12 |\n\n- outer\n  - inner\n\n~~gone~~");
    expect(html).toMatch(/<table[^>]*>[\s\S]*<th[^>]*>file<\/th>[\s\S]*<td[^>]*>a.ts<\/td>[\s\S]*<\/table>/);
    expect(html).toMatch(/<li>outer\s*<ul[^>]*>\s*<li>inner<\/li>/);
    expect(html).toContain("<del>gone</del>");
  });

  it("never turns text into HTML or a script link", () => {
    const html = render('<img src=x onerror="alert(1)"> [click](javascript:alert(1)) <script>x</script>\n\n<div onclick="x()">block</div>');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<div onclick");
    expect(html).not.toContain("href");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("click");
    // Raw HTML is shown as the text it is.
    expect(html).toContain("&lt;img src=x");
    expect(html).toContain("&lt;div onclick=");
  });
});

describe("setup and check phases in the log view", () => {
  it("folds a phase's output under one row that shows its result once it ends", () => {
    const model = new LogModel();
    model.addEvents(3, [
      stored({ kind: "phase", phase: "check", status: "running", command: "npm test", exitCode: null, durationMs: null }),
      stored({ kind: "phase_output", phase: "check", stream: "stdout", line: "1 failing" }),
      stored({ kind: "phase_output", phase: "check", stream: "stderr", line: "AssertionError" }),
    ]);
    expect(model.rows).toHaveLength(1);
    expect(model.rows[0]).toMatchObject({ type: "phase", lines: 2, event: { status: "running" } });
    model.addEvents(3, [stored({ kind: "phase", phase: "check", status: "failed", command: "npm test", exitCode: 1, durationMs: 1200 })]);
    expect(model.rows).toHaveLength(1);
    expect(model.rows[0]).toMatchObject({ type: "phase", lines: 2, output: ["1 failing", "AssertionError"], event: { status: "failed", exitCode: 1 } });
    // The raw view keeps every line as it came.
    expect(model.rawRows.map((row) => rawText(row.event))).toContain("AssertionError");
  });
});

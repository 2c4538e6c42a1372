import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogEvent, StoredLogEvent } from "@/lib/log-events";
import { runLogWriter, seedRun, seedTask, useLogDatabase } from "./log-fixture";

useLogDatabase();

const DAY = 24 * 60 * 60 * 1000;

async function allEvents(runId: number): Promise<StoredLogEvent[]> {
  const { readLog } = await import("@/server/events/log-store");
  return readLog(runId, 0, 100_000);
}

/** A run with the three shapes compaction cares about, ended `daysAgo` days ago (null: still running). */
async function runWithOutput(taskId: number, daysAgo: number | null): Promise<number> {
  const { db } = await import("@/server/db/client");
  const runId = await seedRun(taskId);
  const writer = await runLogWriter(runId);
  const toolCall: LogEvent = { kind: "tool_call", id: "t1", name: "Bash", summary: "ls", status: "running" };
  writer.append([{ kind: "assistant", text: "Looking." }, toolCall], '{"type":"assistant","raw":"output"}');
  writer.append([{ kind: "line", stream: "stdout", line: '{"type":"system","subtype":"status"}' }], '{"type":"system","subtype":"status"}');
  writer.append([{ kind: "raw", stream: "stderr", line: "warning: something" }], "warning: something");
  writer.append([{ kind: "tool_result", id: "t1", output: "a\nb", status: "ok" }], '{"type":"user"}');
  await writer.close();
  if (daysAgo !== null) await db().run.update({ where: { id: runId }, data: { status: "DONE", endedAt: new Date(Date.now() - daysAgo * DAY) } });
  return runId;
}

describe("log compaction", () => {
  it("drops the raw output of runs that ended long ago and keeps their normalized events", async () => {
    const { compactRunLogs } = await import("@/server/events/log-compaction");
    const { taskId } = await seedTask();
    const old = await runWithOutput(taskId, 30);
    const recent = await runWithOutput(taskId, 2);
    const running = await runWithOutput(taskId, null);
    const untouched = { recent: await allEvents(recent), running: await allEvents(running) };
    expect(untouched.recent.map((event) => event.kind)).toEqual(["assistant", "tool_call", "line", "raw", "tool_result"]);

    const result = await compactRunLogs({ olderThanDays: 14 });
    expect(result).toEqual({ runs: 1, deletedLines: 1, strippedEvents: 2 });

    const compacted = await allEvents(old);
    expect(compacted.map((event) => [event.seq, event.kind])).toEqual([[1, "assistant"], [2, "tool_call"], [4, "raw"], [5, "tool_result"]]);
    expect(compacted.every((event) => event.kind === "raw" || event.line === undefined)).toBe(true);
    expect(compacted[0]).toMatchObject({ kind: "assistant", text: "Looking." });
    expect(compacted[2]).toMatchObject({ kind: "raw", stream: "stderr", line: "warning: something" });
    expect(compacted[3]).toMatchObject({ kind: "tool_result", id: "t1", output: "a\nb", status: "ok" });
    expect(await allEvents(recent)).toEqual(untouched.recent);
    expect(await allEvents(running)).toEqual(untouched.running);

    // A second pass finds nothing new; the recent run is compacted once it is old enough.
    expect(await compactRunLogs({ olderThanDays: 14 })).toEqual({ runs: 0, deletedLines: 0, strippedEvents: 0 });
    const later = await compactRunLogs({ olderThanDays: 14, now: new Date(Date.now() + 13 * DAY) });
    expect(later).toEqual({ runs: 1, deletedLines: 1, strippedEvents: 2 });
  });
});

describe("log cap", () => {
  it("stops storing at the cap and writes the truncation marker once", async () => {
    const { db } = await import("@/server/db/client");
    const { taskId } = await seedTask();
    const runId = await seedRun(taskId);
    const cap = 10_000;
    const writer = await runLogWriter(runId, cap);
    for (let n = 0; n < 500; n += 1) writer.append([{ kind: "assistant", text: `message ${n} é` }], `{"n":${n}}`);
    await writer.close();
    for (let n = 0; n < 50; n += 1) writer.append([{ kind: "assistant", text: "more" }]);
    await writer.close();

    const events = await allEvents(runId);
    const markers = events.filter((event) => event.kind === "system" && event.message.startsWith("Log truncated"));
    expect(markers).toHaveLength(1);
    expect(events.at(-1)).toEqual(markers[0]);
    expect(events.length).toBeGreaterThan(50);
    expect(events.length).toBeLessThan(500);
    const run = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ logTruncated: true, logSeq: events.length });
    expect(run.logBytes).toBeLessThanOrEqual(cap);
    const storedBytes = events.slice(0, -1).reduce((sum, { seq: _seq, ts: _ts, ...event }) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    expect(run.logBytes).toBe(storedBytes);
  });
});

describe("log writes of several runs", () => {
  it("stores each run's lines even when another run's rows fail in the same flush", async () => {
    const { db } = await import("@/server/db/client");
    const { services } = await import("@/server/services");
    const { taskId } = await seedTask();
    const kept = await seedRun(taskId);
    const doomed = await seedRun(taskId);
    const published: number[] = [];
    const off = services().bus.onRunLog(kept, (events) => published.push(...events.map((event) => event.seq)));
    const keptWriter = await runLogWriter(kept);
    const doomedWriter = await runLogWriter(doomed);
    await db().run.delete({ where: { id: doomed } });
    for (let n = 1; n <= 30; n += 1) {
      keptWriter.append([{ kind: "assistant", text: `kept ${n}` }]);
      doomedWriter.append([{ kind: "assistant", text: `doomed ${n}` }]);
    }
    await expect(doomedWriter.close()).rejects.toThrow();
    await keptWriter.close();
    off();
    expect((await allEvents(kept)).map((event) => event.seq)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    expect(published).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    expect(await db().run.findUniqueOrThrow({ where: { id: kept } })).toMatchObject({ logSeq: 30 });
  });
});

/** The summary as the finish computed it before SQLite picked the events out: every event parsed, in order. */
function summaryInJs(events: LogEvent[]): { denied: string[]; finalText: string } {
  const denied: string[] = [];
  const calls = new Map<string, string>();
  let finalText: string[] = [];
  for (const event of events) {
    if (event.kind === "tool_call") {
      calls.set(event.id, `${event.name}: ${event.summary}`);
      finalText = [];
      if (event.status === "denied") denied.push(`${event.name}: ${event.summary}`);
    } else if (event.kind === "tool_result") {
      finalText = [];
      if (event.status === "denied" && !denied.includes(calls.get(event.id) ?? "")) denied.push(calls.get(event.id) ?? event.output.slice(0, 300));
    } else if (event.kind === "assistant") finalText.push(event.text);
  }
  return { denied, finalText: finalText.join("\n") };
}

describe("a finished run's log summary (runLogSummary)", () => {
  it("finds the denied tool calls and the final answer as parsing every event in order does, for random logs", async () => {
    const { runLogSummary } = await import("@/server/events/log-store");
    const { taskId } = await seedTask();
    const id = fc.constantFrom("t1", "t2", "t3");
    const status = fc.constantFrom("running", "ok", "error", "denied");
    const event: fc.Arbitrary<LogEvent> = fc.oneof(
      fc.record({ kind: fc.constant("assistant" as const), text: fc.string({ maxLength: 20 }) }),
      fc.record({ kind: fc.constant("tool_call" as const), id, name: fc.constantFrom("Bash", "Edit"), summary: fc.string({ maxLength: 10 }), status }),
      fc.record({ kind: fc.constant("tool_result" as const), id, output: fc.string({ maxLength: 400 }), status }),
      fc.constant<LogEvent>({ kind: "system", message: "between" }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 30 }), async (events) => {
        const runId = await seedRun(taskId);
        const writer = await runLogWriter(runId);
        for (const each of events) writer.append([each], JSON.stringify(each));
        await writer.close();
        expect(runLogSummary(runId)).toEqual(summaryInJs(events));
      }),
      { numRuns: 60 },
    );
  });
});

describe("the stored JSON of an event and its line", () => {
  it("is exactly JSON.stringify({ ...event, line }) for any line, and the line of an event that has one of its own wins as before", async () => {
    const { db } = await import("@/server/db/client");
    const { taskId } = await seedTask();
    const runId = await seedRun(taskId);
    const writer = await runLogWriter(runId);
    const event = fc.oneof(
      fc.record({ kind: fc.constant("assistant" as const), text: fc.string() }),
      fc.record({ kind: fc.constant("tool_result" as const), id: fc.string(), output: fc.string({ unit: "binary" }), status: fc.constantFrom("ok" as const, "error" as const) }),
      fc.record({ kind: fc.constant("phase_output" as const), phase: fc.constant("check" as const), stream: fc.constant("stdout" as const), line: fc.string() }),
    );
    const cases = fc.sample(fc.tuple(event, fc.string({ unit: "binary" })), 300) as [LogEvent, string][];
    for (const [each, line] of cases) writer.append([each], line);
    await writer.close();
    const rows = await db().runLog.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { data: true } });
    expect(rows.map((row) => row.data)).toEqual(cases.map(([each, line]) => JSON.stringify({ ...each, line })));
  });
});

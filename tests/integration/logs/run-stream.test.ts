import { describe, expect, it } from "vitest";
import { endRun, runLogWriter, seedRun, seedTask, useLogDatabase, writeEvents } from "./log-fixture";
import { SseReader } from "./sse-client";

useLogDatabase({ AI_SLAVE_SSE_HEARTBEAT_MS: "100" });

async function connect(runId: number, headers: Record<string, string> = {}, query = "", signal?: AbortSignal): Promise<SseReader> {
  const { GET } = await import("@/app/api/runs/[id]/logs/stream/route");
  const response = await GET(new Request(`http://localhost/api/runs/${runId}/logs/stream${query}`, { headers, signal }), {
    params: Promise.resolve({ id: String(runId) }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  return new SseReader(response.body);
}

function seqs(reader: SseReader): number[] {
  return reader.ofType("log").map((event) => (JSON.parse(event.data) as { seq: number }).seq);
}

function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, index) => index + 1);
}

describe("run log stream", () => {
  it("gives clients that join before, during and after the output every event once, in order", async () => {
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    const log = await runLogWriter(runId);
    const total = 10_000;
    const before = await connect(runId);
    let during: SseReader | undefined;
    await writeEvents(log, 1, total, async (written) => {
      if (!during && written >= total / 2) during = await connect(runId);
    });
    await log.close();
    const after = await connect(runId);
    await after.waitFor(() => seqs(after).length === total, 20_000, "the whole history");
    await endRun({ ...ids, runId }, "DONE");
    const finished = await connect(runId);

    for (const reader of [before, during!, after, finished]) {
      await reader.done;
      expect(seqs(reader)).toEqual(oneTo(total));
      const end = reader.ofType("end");
      expect(end).toHaveLength(1);
      expect(JSON.parse(end[0]!.data)).toEqual({ runId, status: "DONE", errorClass: null });
      expect(reader.events.at(-1)?.event).toBe("end");
    }
    // Live (before) and replayed (finished) clients get the same text, which is the stored event's JSON.
    const { readLog } = await import("@/server/events/log-store");
    const stored = await readLog(runId, 0, total);
    expect(finished.ofType("log").map((event) => event.data)).toEqual(stored.map((event) => JSON.stringify(event)));
    expect(before.ofType("log").map((event) => event.data)).toEqual(stored.map((event) => JSON.stringify(event)));
    const first = JSON.parse(before.ofType("log")[0]!.data) as Record<string, unknown>;
    expect(first).toMatchObject({ kind: "assistant", text: "message 1", seq: 1, line: '{"type":"assistant","n":1}' });
    expect(typeof first.ts).toBe("string");
    expect(before.ofType("log")[0]!.id).toBe("1");
  });

  it("continues after Last-Event-ID on reconnect, with no gap and no duplicate, and leaves no listener behind", async () => {
    const { services } = await import("@/server/services");
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    const log = await runLogWriter(runId);
    const total = 6_000;
    const first = await connect(runId);
    const writing = writeEvents(log, 1, total);
    await first.waitFor(() => seqs(first).length >= 2_000, 60_000, "2000 events");
    await first.cancel();
    expect(services().bus.listenerCounts(runId)).toMatchObject({ runLog: 0, runEnd: 0 });
    const received = seqs(first);

    const aborter = new AbortController();
    const second = await connect(runId, { "Last-Event-ID": first.lastEventId! }, "?after=0", aborter.signal);
    await writing;
    await log.close();
    await second.waitFor(() => seqs(second).at(-1) === total, 60_000, "the last event");
    expect([...received, ...seqs(second)]).toEqual(oneTo(total));
    aborter.abort();
    await second.done;
    expect(services().bus.listenerCounts(runId)).toMatchObject({ runLog: 0, runEnd: 0 });

    const third = await connect(runId, {}, `?after=${total - 10}`);
    await third.waitFor(() => seqs(third).length === 10, 5_000, "the last ten");
    expect(seqs(third)).toEqual(oneTo(10).map((n) => n + total - 10));
    await third.cancel();
    // 6,000 events written and read twice: minutes on a loaded 2-core machine, not a timing check.
  }, 150_000);

  it("ends every open stream with an end event carrying FAILED when the run fails, and sends heartbeats", async () => {
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    const log = await runLogWriter(runId);
    const readers = [await connect(runId), await connect(runId)];
    await readers[0]!.waitFor(() => readers[0]!.comments.includes("ping"), 5_000, "a heartbeat");
    await writeEvents(log, 1, 500);
    log.append([{ kind: "error", message: "It broke.", fatal: true }]);
    await log.close();
    await endRun({ ...ids, runId }, "FAILED", "TOOL");
    for (const reader of readers) {
      await reader.done;
      expect(seqs(reader)).toEqual(oneTo(501));
      expect(reader.events.at(-1)).toMatchObject({ event: "end" });
      expect(JSON.parse(reader.events.at(-1)!.data)).toEqual({ runId, status: "FAILED", errorClass: "TOOL" });
    }
  });

  it("answers 404 for a run that does not exist", async () => {
    const { GET } = await import("@/app/api/runs/[id]/logs/stream/route");
    const response = await GET(new Request("http://localhost/api/runs/999999/logs/stream"), { params: Promise.resolve({ id: "999999" }) });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found:run");
  });
});

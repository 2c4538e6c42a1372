import { describe, expect, it } from "vitest";
import { endRun, runLogWriter, seedRun, seedTask, useLogDatabase, writeEvents } from "./log-fixture";
import { SseReader } from "./sse-client";

useLogDatabase({ AI_SLAVE_SSE_MAX_QUEUED: "1000" });

async function request(runId: number, headers: Record<string, string> = {}): Promise<Response> {
  const { GET } = await import("@/app/api/runs/[id]/logs/stream/route");
  return GET(new Request(`http://localhost/api/runs/${runId}/logs/stream`, { headers }), { params: Promise.resolve({ id: String(runId) }) });
}

describe("slow SSE clients", () => {
  it("closes a client that stops reading instead of buffering for it, and it catches up on reconnect", async () => {
    const { services } = await import("@/server/services");
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    const writer = await runLogWriter(runId);

    const reading = new SseReader((await request(runId)).body);
    const stalled = await request(runId);
    await writeEvents(writer, 1, 3000);
    await writer.close();
    // Past 1000 queued messages the stalled client's stream was closed and unsubscribed.
    expect(services().bus.listenerCounts(runId)).toMatchObject({ runLog: 1, runEnd: 1 });
    const { done } = await stalled.body!.getReader().read();
    expect(done).toBe(true);

    await endRun({ ...ids, runId }, "DONE");
    await reading.done;
    expect(reading.ofType("log")).toHaveLength(3000);
    // History is paced by the client, so even a replay larger than the cap is delivered in full.
    const again = new SseReader((await request(runId, { "Last-Event-ID": "0" })).body);
    await again.done;
    expect(again.ofType("log").map((event) => Number(event.id))).toEqual(Array.from({ length: 3000 }, (_, index) => index + 1));
    expect(again.ofType("end")).toHaveLength(1);
  });
});

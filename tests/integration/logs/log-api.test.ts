import { describe, expect, it } from "vitest";
import type { StoredLogEvent } from "@/lib/log-events";
import { endRun, runLogWriter, seedRun, seedTask, useLogDatabase, writeEvents } from "./log-fixture";
import { SseReader } from "./sse-client";

useLogDatabase({ AI_SLAVE_SSE_HEARTBEAT_MS: "100" });

async function getPage(runId: number, query: string): Promise<Response> {
  const { GET } = await import("@/app/api/runs/[id]/logs/route");
  return GET(new Request(`http://localhost/api/runs/${runId}/logs${query}`), { params: Promise.resolve({ id: String(runId) }) });
}

describe("run log JSON API", () => {
  it("pages through the stored log with nextCursor until null", async () => {
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    const writer = await runLogWriter(runId);
    await writeEvents(writer, 1, 1000);
    await writer.close();

    const seen: number[] = [];
    let cursor: string | null = "0";
    let pages = 0;
    while (cursor !== null) {
      const response = await getPage(runId, `?after=${cursor}&limit=300`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: StoredLogEvent[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.seq));
      if (body.nextCursor !== null) expect(body.nextCursor).toBe(String(body.items.at(-1)!.seq));
      cursor = body.nextCursor;
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));

    const first = (await (await getPage(runId, "?limit=1")).json()) as { items: StoredLogEvent[] };
    expect(first.items[0]).toMatchObject({ seq: 1, kind: "assistant", text: "message 1" });
    expect(typeof first.items[0]!.ts).toBe("string");
    expect((await getPage(runId, "?limit=0")).status).toBe(400);
    expect((await getPage(999_999, "")).status).toBe(404);
  });

  it("returns the run DTO", async () => {
    const { GET } = await import("@/app/api/runs/[id]/route");
    const ids = await seedTask();
    const runId = await seedRun(ids.taskId);
    await endRun({ ...ids, runId }, "FAILED", "TOOL");
    const response = await GET(new Request(`http://localhost/api/runs/${runId}`), { params: Promise.resolve({ id: String(runId) }) });
    expect(await response.json()).toMatchObject({ id: runId, taskId: ids.taskId, status: "FAILED", errorClass: "TOOL" });
    const missing = await GET(new Request("http://localhost/api/runs/999999"), { params: Promise.resolve({ id: "999999" }) });
    expect(missing.status).toBe(404);
  });
});

describe("board event stream", () => {
  it("delivers board events live, with heartbeats, and unsubscribes on disconnect", async () => {
    const { GET } = await import("@/app/api/events/route");
    const { services } = await import("@/server/services");
    const ids = await seedTask();
    const controller = new AbortController();
    const response = await GET(new Request("http://localhost/api/events", { signal: controller.signal }));
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = new SseReader(response.body);
    expect(services().bus.listenerCounts().board).toBe(1);
    const runId = await seedRun(ids.taskId);
    await endRun({ ...ids, runId }, "DONE");
    // The account's quota is recorded first (quota.changed), then the task's end.
    const finished = () => reader.ofType("board").map((event) => JSON.parse(event.data) as { type: string }).find((event) => event.type === "task.finished");
    await reader.waitFor(() => finished() !== undefined, 5_000, "the task.finished event");
    expect(finished()).toMatchObject({ type: "task.finished", taskId: ids.taskId, status: "DONE" });
    await reader.waitFor(() => reader.comments.includes("ping"), 5_000, "a heartbeat");
    controller.abort();
    await reader.done;
    expect(services().bus.listenerCounts().board).toBe(0);
  });
});

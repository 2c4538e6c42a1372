import { describe, expect, it } from "vitest";
import { endRun, runLogWriter, seedRun, seedTask, useLogDatabase, writeEvents } from "./log-fixture";
import { SseReader } from "./sse-client";

useLogDatabase();

async function connect(taskId: number, headers: Record<string, string> = {}): Promise<SseReader> {
  const { GET } = await import("@/app/api/tasks/[id]/logs/stream/route");
  const response = await GET(new Request(`http://localhost/api/tasks/${taskId}/logs/stream`, { headers }), { params: Promise.resolve({ id: String(taskId) }) });
  expect(response.status).toBe(200);
  return new SseReader(response.body);
}

async function writeRun(runId: number, count: number): Promise<void> {
  const writer = await runLogWriter(runId);
  await writeEvents(writer, 1, count);
  await writer.close();
}

/** A newer run started the way the executor starts one: run row, currentRunId, task.started. */
async function startNewRun(ids: { taskId: number; workspaceId: number }): Promise<number> {
  const { services } = await import("@/server/services");
  const runId = await seedRun(ids.taskId);
  services().bus.publishBoard({ type: "task.started", taskId: ids.taskId, workspaceId: ids.workspaceId, status: "RUNNING" });
  return runId;
}

const logIds = (reader: SseReader) => reader.ofType("log").map((event) => event.id);
const range = (runId: number, count: number) => Array.from({ length: count }, (_, index) => `${runId}:${index + 1}`);

describe("task log stream", () => {
  it("replays the current run, then follows the task to its next run", async () => {
    const ids = await seedTask();
    const first = await seedRun(ids.taskId);
    await writeRun(first, 300);
    await endRun({ ...ids, runId: first }, "FAILED", "TOOL");

    const reader = await connect(ids.taskId);
    await reader.waitFor(() => reader.ofType("end").length === 1, 10_000, "the first run's end");
    expect(reader.events[0]).toMatchObject({ event: "run", data: JSON.stringify({ taskId: ids.taskId, runId: first }) });
    expect(reader.events[0]!.id).toBeUndefined();
    expect(logIds(reader)).toEqual(range(first, 300));
    expect(reader.ofType("end")[0]).toMatchObject({ id: `${first}:end`, data: JSON.stringify({ runId: first, status: "FAILED", errorClass: "TOOL" }) });

    const second = await startNewRun(ids);
    await writeRun(second, 200);
    await endRun({ ...ids, runId: second }, "DONE");
    await reader.waitFor(() => reader.ofType("end").length === 2, 10_000, "the second run's end");
    expect(reader.ofType("run")[1]).toMatchObject({ id: `${second}:0`, data: JSON.stringify({ taskId: ids.taskId, runId: second }) });
    expect(logIds(reader)).toEqual([...range(first, 300), ...range(second, 200)]);
    expect(reader.closed).toBe(false);
    await reader.cancel();
  });

  it("resumes from Last-Event-ID across runs: after a run's end it goes straight to the next run", async () => {
    const ids = await seedTask();
    const first = await seedRun(ids.taskId);
    await writeRun(first, 50);
    await endRun({ ...ids, runId: first }, "DONE");
    const second = await startNewRun(ids);
    await writeRun(second, 40);

    const mid = await connect(ids.taskId, { "Last-Event-ID": `${first}:20` });
    await mid.waitFor(() => logIds(mid).length === 30 + 40, 10_000, "the rest of both runs");
    expect(logIds(mid)).toEqual([...range(first, 50).slice(20), ...range(second, 40)]);
    await mid.cancel();

    const afterEnd = await connect(ids.taskId, { "Last-Event-ID": `${first}:end` });
    await afterEnd.waitFor(() => logIds(afterEnd).length === 40, 10_000, "the second run");
    expect(afterEnd.ofType("end")).toHaveLength(0);
    expect(afterEnd.ofType("run")).toMatchObject([{ id: `${second}:0` }]);
    await afterEnd.cancel();
  });

  it("waits for the first run of a task that has none yet", async () => {
    const ids = await seedTask();
    const reader = await connect(ids.taskId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const runId = await startNewRun(ids);
    await writeRun(runId, 10);
    await reader.waitFor(() => logIds(reader).length === 10, 10_000, "the run's events");
    expect(reader.ofType("run")).toMatchObject([{ id: `${runId}:0` }]);
    await reader.cancel();
  });
});

/**
 * Many browsers following one run through the real server: 100 SSE clients, half of them dropping
 * their connection at a random moment and coming back with Last-Event-ID, as EventSource does.
 * Each must end with exactly the run's events 1..N: no gap, no duplicate.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_TOKEN, type RealServer } from "../../fixtures/real-server";
import { makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { SseReader } from "../logs/sse-client";
import { createdId, report, sizeFromEnv, startStubServer, until } from "./harness";

const CLIENTS = sizeFromEnv("RELIABILITY_SSE_CLIENTS", 100);
const EVENTS = sizeFromEnv("RELIABILITY_SSE_EVENTS", 1500);

let testDb: TestDb;
let server: RealServer | undefined;

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  await testDb?.cleanup();
});

async function open(url: string, lastEventId?: string): Promise<SseReader> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(lastEventId ? { "last-event-id": lastEventId } : {}) } });
  expect(response.status).toBe(200);
  return new SseReader(response.body);
}

/** One client: follows to the end event, optionally dropping once after `dropAfterMs` and resuming. */
async function follow(url: string, dropAfterMs: number | null): Promise<{ seqs: number[]; reconnected: boolean }> {
  const seqs: number[] = [];
  const take = (reader: SseReader) => seqs.push(...reader.ofType("log").map((event) => Number(event.id)));
  let reader = await open(url);
  let reconnected = false;
  if (dropAfterMs !== null) {
    await Promise.race([reader.done, new Promise((resolve) => setTimeout(resolve, dropAfterMs))]);
    if (!reader.closed) {
      await reader.cancel();
      take(reader);
      reader = await open(url, reader.lastEventId ?? "0");
      reconnected = true;
    }
  }
  await reader.done;
  take(reader);
  expect(reader.ofType("end"), "the stream ends with its end event").toHaveLength(1);
  return { seqs, reconnected };
}

describe("SSE clients of the real server", () => {
  it(`${CLIENTS} clients follow one run, half reconnect with Last-Event-ID at random moments: each gets exactly events 1..N`, async () => {
    const dir = path.join(testDb.dir, "sse");
    server = await startStubServer(dir);
    const live = server;
    const workspaceId = await createdId(live, "/api/workspaces", { name: "sse", path: makeGitRepo(dir, "repo"), concurrencyLimit: 1 });
    // About five seconds of output, one event every 3 ms.
    const taskId = await createdId(live, "/api/tasks", { workspaceId, prompt: `Talk. DRIP:${EVENTS}:3`, backend: "claude_code" });
    const runId = await until("the run", async () => (await live.api<{ items: { id: number }[] }>(`/api/tasks/${taskId}/runs`)).body.items[0]?.id);
    const url = `${live.url}/api/runs/${runId}/logs/stream`;
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => follow(url, index % 2 === 0 ? null : Math.random() * 5_000)));

    const stored = (await live.api<{ items: { seq: number }[] }>(`/api/runs/${runId}/logs?after=0&limit=5000`)).body.items.map((event) => event.seq);
    expect(stored.length).toBeGreaterThan(EVENTS);
    expect(stored).toEqual(stored.map((_, at) => at + 1));
    const wrong = results.filter((result) => JSON.stringify(result.seqs) !== JSON.stringify(stored));
    expect(wrong.map((result) => ({ count: result.seqs.length, first: result.seqs.slice(0, 3), last: result.seqs.slice(-3) }))).toEqual([]);
    const reconnected = results.filter((result) => result.reconnected).length;
    report("sse", { clients: CLIENTS, reconnected, events: stored.length });
    // Most of the droppers drop while the run still talks; a few timers land after its end.
    expect(reconnected).toBeGreaterThan(CLIENTS / 4);
    await live.stop("SIGTERM");
  }, 300_000);
});

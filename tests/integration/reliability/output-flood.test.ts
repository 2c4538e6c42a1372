/**
 * An agent that prints 100 MB as fast as it can, with an SSE client that does not read: the
 * agent is never held up (it writes to its log file, not to the server), the stored log stops at
 * the cap with a visible marker, the slow client is dropped instead of buffered, and the
 * server's memory stays bounded.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { TEST_TOKEN, type RealServer } from "../../fixtures/real-server";
import { makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { createdId, readTrace, report, rssMb, sizeFromEnv, startStubServer, until } from "./harness";

const OUTPUT_MB = sizeFromEnv("RELIABILITY_OUTPUT_MB", 100);
const CAP_MB = 8;

let testDb: TestDb;
let server: (RealServer & { trace: string }) | undefined;

beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  await testDb?.cleanup();
});

describe("an agent that floods its output", () => {
  it(`${OUTPUT_MB} MB of output: the agent is not blocked, the log stops at the cap with a marker, memory stays bounded`, async () => {
    const dir = path.join(testDb.dir, "flood");
    server = await startStubServer(dir, { AI_SLAVE_LOG_CAP_BYTES: String(CAP_MB * 1024 * 1024), AI_SLAVE_SSE_MAX_QUEUED: "1000" });
    const live = server;
    onTestFailed(() => console.log(live.output().slice(-4000)));
    const workspaceId = await createdId(live, "/api/workspaces", { name: "flood", path: makeGitRepo(dir, "repo"), concurrencyLimit: 1 });
    const rssBefore = rssMb(live.child.pid!);
    const taskId = await createdId(live, "/api/tasks", { workspaceId, prompt: `Flood. SPAM:${OUTPUT_MB * 1024 * 1024}`, backend: "claude_code" });
    const runId = await until("the run", async () => (await live.api<{ items: { id: number }[] }>(`/api/tasks/${taskId}/runs`)).body.items[0]?.id);
    // A client that never reads its stream.
    const stalled = await fetch(`${live.url}/api/runs/${runId}/logs/stream`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(stalled.status).toBe(200);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(live.child.pid!))), 100);
    const status = await until("the task to finish", async () => {
      const task = (await live.api<{ status: string }>(`/api/tasks/${taskId}`)).body;
      return task.status === "DONE" || task.status === "FAILED" ? task.status : null;
    }, 240_000);
    clearInterval(sampler);
    expect(status).toBe("DONE");

    const trace = readTrace(live.trace).filter((line) => line.taskId === taskId);
    const agentMs = trace.find((line) => line.what === "end")!.at - trace.find((line) => line.what === "start")!.at;
    let after = 0;
    let markers = 0;
    let last: { kind: string; message?: string } | undefined;
    for (;;) {
      const page = (await live.api<{ items: { seq: number; kind: string; message?: string }[] }>(`/api/runs/${runId}/logs?after=${after}&limit=5000`)).body;
      if (page.items.length === 0) break;
      after = page.items.at(-1)!.seq;
      for (const event of page.items) if (event.message?.startsWith("Log truncated")) [markers, last] = [markers + 1, event];
    }
    expect(markers).toBe(1);
    // About 100 bytes of JSON per stored line: the cap, not the output, decides how many.
    expect(after).toBeLessThan((CAP_MB * 1024 * 1024) / 80);
    expect(last?.message).toContain(`cap of ${CAP_MB * 1024 * 1024} bytes`);
    await stalled.body?.cancel().catch(() => undefined);
    report("output flood", { "output MB": OUTPUT_MB, "agent ran ms": agentMs, "stored events": after, "RSS before MB": rssBefore, "RSS peak MB": peak });
    // The agent wrote 100 MB to a file; nothing made it wait for the server.
    expect(agentMs).toBeLessThan(15_000);
    expect(peak - rssBefore).toBeLessThan(300);
    await live.stop("SIGTERM");
  }, 300_000);
});

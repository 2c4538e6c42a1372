import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, createWorkspace, logText, runsOf, startEngine, stopEngine, taskAction, useStubAgent, waitFor, waitForStatus } from "../helpers/engine";
import { makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";
import { peakOverlap, readTrace } from "../reliability/harness";

/**
 * Runs start one at a time per machine (server/runs/start-gate.ts, AI_SLAVE_STARTS_PER_MACHINE
 * at its default 1), with real git, the workspace's real setup script and the stand-in agent: the
 * starts (here the setup, the slow part of each) never overlap and go in dispatch order, while
 * the agents then run side by side; a task cancelled while it waits for its turn starts nothing.
 */
let testDb: TestDb;
let trace: string;

beforeAll(async () => {
  testDb = await useTestDatabase();
  trace = path.join(testDb.dir, "agent-trace.log");
  process.env.STUB_TRACE = trace;
  await useStubAgent(5_000);
  await startEngine();
});
afterAll(async () => {
  await stopEngine();
  delete process.env.STUB_TRACE;
  await testDb.cleanup();
});

/** The setup script's own account: "start|end <worktree> <epoch ms>" per line. */
function setupSpans(file: string): Map<string, { start: number; end: number }> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const [what, worktree, at] = line.split(" ");
    const span = spans.get(worktree!) ?? { start: Number.NaN, end: Number.NaN };
    span[what as "start" | "end"] = Number(at);
    spans.set(worktree!, span);
  }
  return spans;
}

describe("runs start one at a time per machine", () => {
  it("four tasks dispatched at once: their starts one after another in order, their agents side by side", async () => {
    const log = path.join(testDb.dir, "setup-order.log");
    const mark = (what: string) => `echo "${what} $(basename "$PWD") $(date +%s%3N)" >> ${log}`;
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "order"), { concurrencyLimit: 4, setupScript: `${mark("start")}; sleep 0.3; ${mark("end")}` });
    const ids: number[] = [];
    for (let index = 0; index < 4; index += 1) ids.push(await createTask({ prompt: `FILE:f${index}.txt=${index}`, workspaceId, backend: "claude_code" }));
    for (const id of ids) expect((await waitForStatus(id, ["DONE", "FAILED"], 60_000)).status).toBe("DONE");

    const spans = [...setupSpans(log).entries()].sort((a, b) => a[1].start - b[1].start);
    expect(spans).toHaveLength(4);
    // In dispatch order (the worktree's folder ends in its task's id), and none began before the last ended.
    expect(spans.map(([worktree]) => Number(/(\d+)$/.exec(worktree)![1]))).toEqual(ids);
    for (let index = 1; index < spans.length; index += 1) expect(spans[index]![1].start).toBeGreaterThanOrEqual(spans[index - 1]![1].end);
    // The agents themselves overlapped: the gate holds the starts only.
    expect(peakOverlap(readTrace(trace), new Set(ids))).toBeGreaterThan(1);
    // Those that waited say so in their log.
    const [, ...waited] = await Promise.all(ids.map(async (id) => logText((await runsOf(id))[0]!.id)));
    for (const text of waited) expect(text).toMatch(/Started after \d other runs? on this machine \(waited \d+\.\d s\)/);
  });

  it("a task cancelled while it waits for its turn is FAILED as cancelled and starts nothing", async () => {
    const log = path.join(testDb.dir, "setup-cancel.log");
    const mark = (what: string) => `echo "${what} $(basename "$PWD") $(date +%s%3N)" >> ${log}`;
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "cancel"), { concurrencyLimit: 2, setupScript: `${mark("start")}; sleep 1.5; ${mark("end")}` });
    const first = await createTask({ prompt: "FILE:a.txt=1", workspaceId, backend: "claude_code" });
    const second = await createTask({ prompt: "FILE:b.txt=2", workspaceId, backend: "claude_code" });
    // The first is in its setup (holding the machine's turn); the second is claimed and waits.
    await waitFor(async () => fs.existsSync(log) && setupSpans(log).size === 1, 20_000, "the first setup to begin");
    await waitForStatus(second, ["RUNNING"], 5_000);
    const cancelled = await taskAction(second, "cancel");
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "FAILED", failureReason: "Cancelled by the user." });
    expect((await waitForStatus(first, ["DONE", "FAILED"], 60_000)).status).toBe("DONE");
    // Given a moment after the turn passed: the cancelled task made no run, no setup, no agent.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runsOf(second)).toEqual([]);
    expect([...setupSpans(log).keys()].map((worktree) => Number(/(\d+)$/.exec(worktree)![1]))).toEqual([first]);
    expect(readTrace(trace).filter((line) => line.taskId === second)).toEqual([]);
    expect((await waitForStatus(second, ["FAILED"], 1_000)).failureReason).toBe("Cancelled by the user.");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, createWorkspace, stopEngine, useStubAgent, waitForStatus } from "../helpers/engine";
import { jsonRequest, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await useTestDatabase();
  await useStubAgent(50);
  (await import("@/server/services")).resetServicesForTests();
});
afterAll(async () => {
  await stopEngine();
  await testDb.cleanup();
});

async function health(): Promise<{ status: string; scheduler: { running: boolean } }> {
  const { GET } = await import("@/app/api/health/route");
  return (await GET(jsonRequest("/api/health", "GET", undefined, { "x-ai-slave-authenticated": "1" }))).json();
}

describe("boot beside the first requests", () => {
  it("requests are answered while the services start; health says whether the scheduler runs; a task queued meanwhile runs once it does", async () => {
    const { startServices } = await import("@/server/boot");
    const { services } = await import("@/server/services");
    expect(await health()).toMatchObject({ status: "ok", scheduler: { running: false } });
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir, "boot"));

    // As instrumentation.ts does: boot is started, not waited for.
    const booting = startServices();
    expect(startServices()).toBe(booting);
    const id = await createTask({ prompt: "FILE:boot.txt=1", workspaceId, backend: "claude_code" });
    // Boot has not reached its scheduler yet: the task was queued through the stand-in.
    expect(services().booting).toBe(booting);
    expect((await health()).scheduler.running).toBe(false);

    await booting;
    expect(await health()).toMatchObject({ status: "ok", scheduler: { running: true } });
    // The periodic scan is 10 minutes away: the scheduler's first pass picked up the task.
    expect((await waitForStatus(id, ["DONE", "FAILED"], 30_000)).status).toBe("DONE");
  });
});

import { afterAll, beforeAll } from "vitest";
import { useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Gives the test file its own migrated SQLite file and fresh process-wide services. Server modules
 * read the environment when first used, so they are imported after it is set.
 */
export function useLogDatabase(env: Record<string, string> = {}): void {
  let testDb: TestDb;
  beforeAll(async () => {
    Object.assign(process.env, env);
    testDb = await useTestDatabase();
  });
  afterAll(async () => testDb.cleanup());
}

let workspaceCount = 0;

/** A workspace and a task in it; nothing runs. */
export async function seedTask(): Promise<{ taskId: number; workspaceId: number }> {
  const { db } = await import("@/server/db/client");
  workspaceCount += 1;
  const workspace = await db().workspace.create({ data: { name: `ws-${workspaceCount}-${process.pid}`, type: "local", path: "/tmp/none", baseBranch: "main" } });
  const task = await db().task.create({
    data: { workspaceId: workspace.id, number: 1, title: "Live logs", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "default", status: "RUNNING" },
  });
  return { taskId: task.id, workspaceId: workspace.id };
}

/** A RUNNING run of the task, made its current run the way the executor does it. */
export async function seedRun(taskId: number): Promise<number> {
  const { db } = await import("@/server/db/client");
  const run = await db().run.create({ data: { taskId, kind: "initial", backend: "claude_code", model: "sonnet", prompt: "p" } });
  await db().task.update({ where: { id: taskId }, data: { currentRunId: run.id } });
  return run.id;
}

/** A log writer for the run on the process's bus, with a cap far above what a test writes unless one is given. */
export async function runLogWriter(runId: number, capBytes = 50 * 1024 * 1024): Promise<import("@/server/events/log-writer").RunLogWriter> {
  const { RunLogWriter } = await import("@/server/events/log-writer");
  const { services } = await import("@/server/services");
  return new RunLogWriter(runId, services().bus, capBytes);
}

/** Ends a run through the executor's own path (recordRunOutcome), which publishes the run's end. */
export async function endRun(ids: { taskId: number; workspaceId: number; runId: number }, status: "DONE" | "FAILED", errorClass: "TOOL" | null = null): Promise<void> {
  const { recordRunOutcome } = await import("@/server/runs/finish");
  await recordRunOutcome({
    ...ids,
    backend: "claude_code",
    model: "sonnet",
    exitCode: status === "DONE" ? 0 : 1,
    verdict: null,
    final: { runStatus: status, errorClass, reason: status === "DONE" ? null : "The agent failed.", retryInMs: null },
  });
}

/** `count` assistant events through a RunLogWriter, in slices, letting the event loop run between them. */
export async function writeEvents(writer: { append(events: import("@/lib/log-events").LogEvent[], line?: string): void }, from: number, count: number, onSlice?: (written: number) => Promise<void> | void): Promise<void> {
  const slice = 250;
  for (let done = 0; done < count; done += slice) {
    for (let index = done; index < Math.min(count, done + slice); index += 1) {
      const n = from + index;
      writer.append([{ kind: "assistant", text: `message ${n}` }], `{"type":"assistant","n":${n}}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
    await onSlice?.(Math.min(count, done + slice));
  }
}

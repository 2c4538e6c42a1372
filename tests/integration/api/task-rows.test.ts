import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let workspaceId: number;

beforeAll(async () => {
  testDb = await useTestDatabase();
  const { createWorkspace } = await import("@/server/workspaces/service");
  const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
  workspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "rows", path: makeGitRepo(testDb.dir) }))).id;
});
afterAll(async () => testDb.cleanup());

describe("task rows read without Prisma", () => {
  it("are what Prisma returns, column for column: a task with every column set and one with the defaults", async () => {
    const { db } = await import("@/server/db/client");
    const { tasksByIds } = await import("@/server/tasks/task-rows");
    const at = (iso: string) => new Date(iso);
    const pool = await db().pool.create({ data: { name: "rows" } });
    const full = await db().task.create({
      data: {
        workspaceId, poolId: pool.id, number: 1, title: "full", prompt: "every column: \"quoted\", back\\slash, a\u0000nul, a\ttab\nand lines, 日本語 😀 \u2028", backend: "codex_cli", model: "gpt-5", permissionMode: "default", status: "DONE",
        failureReason: "f", waitingReason: "w", notBefore: at("2026-12-01T10:00:00.123Z"), branch: "task-1", worktreePath: "/tmp/x", promptHistory: "[]",
        nextRunKind: "continue", queuedAt: at("2026-11-30T09:00:00.000Z"), currentRunId: 7, reviewBackend: "claude_code", reviewModel: "opus",
        checkState: "PASSED", reviewState: "APPROVED", reviewedBy: "codex_cli", setupDone: true, pendingPrompt: "p", pendingCause: "c",
        permissionDenials: "[\"Bash: rm\"]", startedAt: at("2026-11-30T09:01:00.000Z"), finishedAt: at("2026-11-30T09:02:00.000Z"),
        mergedAt: at("2026-11-30T09:03:00.000Z"), parentTaskId: 99, mcpTokenHash: "h", dependsOn: "[98]", dependencyMode: "done",
        changedFiles: "[\"a.ts\"]", pullRequestUrl: "https://example.test/pr/1", pullRequestNumber: 1, pullRequestState: "open", accountId: 3,
        fallbackBackend: "claude_code", gpus: 2, gpuIndices: "[0,1]",
      },
    });
    const plain = await db().task.create({ data: { workspaceId, number: 2, title: "plain", prompt: "defaults", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" } });
    const viaPrisma = await db().task.findMany({ where: { id: { in: [full.id, plain.id] } }, orderBy: { id: "asc" } });
    // The dates as ISO text, the form the answers carry.
    const asText = (task: (typeof viaPrisma)[number]) => Object.fromEntries(Object.entries(task).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
    expect(tasksByIds([full.id, plain.id])).toEqual(viaPrisma.map(asText));
    expect(tasksByIds([full.id])[0]!.notBefore).toBe("2026-12-01T10:00:00.123Z");
    // Each column of the full one is set: a column left out of the conversion shows here.
    expect(Object.entries(viaPrisma[0]!).filter(([, value]) => value === null || value === false)).toEqual([]);
    // In the order asked for; an id that is gone is left out.
    expect(tasksByIds([plain.id, 123_456, full.id]).map((task) => task.id)).toEqual([plain.id, full.id]);
  });

  it("reads SQLite's own CURRENT_TIMESTAMP text as UTC, and epoch milliseconds, as Prisma does", async () => {
    const { db } = await import("@/server/db/client");
    const { tasksByIds, storedDate, storedIso } = await import("@/server/tasks/task-rows");
    const task = await db().task.create({ data: { workspaceId, number: 3, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" } });
    await db().$executeRawUnsafe(`UPDATE "Task" SET "startedAt" = '2026-12-01 10:20:30', "finishedAt" = 1764584430000 WHERE "id" = ?`, task.id);
    const [read] = tasksByIds([task.id]);
    expect(read!.startedAt).toBe("2026-12-01T10:20:30.000Z");
    expect(read!.finishedAt).toBe("2025-12-01T10:20:30.000Z");
    const viaPrisma = await db().task.findUniqueOrThrow({ where: { id: task.id } });
    expect([read!.startedAt, read!.finishedAt]).toEqual([viaPrisma.startedAt!.toISOString(), viaPrisma.finishedAt!.toISOString()]);
    expect(storedDate(1_764_584_430_000)).toEqual(new Date(1_764_584_430_000));
    // Prisma's own text is cut to ISO text directly; any other form goes through a Date.
    expect(storedIso("2026-12-01T10:20:30.045+00:00")).toBe("2026-12-01T10:20:30.045Z");
    expect(storedIso("2026-12-01T10:20:30.045+02:00")).toBe("2026-12-01T08:20:30.045Z");
    expect(storedIso("2026-12-01T10:20:30+00:00")).toBe("2026-12-01T10:20:30.000Z");
    expect(storedDate("2026-12-01T10:20:30.000+00:00")).toEqual(new Date("2026-12-01T10:20:30.000Z"));
  });

  it("sums usage per task in one statement, as the runs hold it", async () => {
    const { db } = await import("@/server/db/client");
    const { usageByTask } = await import("@/server/tasks/usage");
    const task = await db().task.create({ data: { workspaceId, number: 4, title: "u", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" } });
    const run = (inputTokens: number, costUsd: number) =>
      db().run.create({ data: { taskId: task.id, kind: "initial", backend: "claude_code", model: "sonnet", prompt: "p", status: "DONE", inputTokens, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd } });
    await run(100, 0.25);
    await run(50, 0.125);
    const usage = await usageByTask([task.id, 987_654]);
    expect([...usage.keys()]).toEqual([task.id]);
    expect(usage.get(task.id)).toEqual({ inputTokens: 150, outputTokens: 4, cacheReadTokens: 6, cacheWriteTokens: 8, costUsd: 0.375 });
  });
});

describe("a new task written without Prisma", () => {
  // A workspace of its own: the tests above number their tasks by hand, past its counter.
  let workspaceId: number;
  beforeAll(async () => {
    const { createWorkspace } = await import("@/server/workspaces/service");
    const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
    workspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "created", path: makeGitRepo(testDb.dir, "created") }))).id;
  });

  it("has, column for column, what Prisma's create gives the same task, and dates stored as Prisma stores them", async () => {
    const { db } = await import("@/server/db/client");
    const { createTask } = await import("@/server/tasks/service");
    const { taskCreateSchema } = await import("@/lib/schemas/task");
    const made = await createTask(taskCreateSchema.parse({ workspaceId, prompt: "Fix the parser\nin two steps", backend: "codex_cli", fallbackBackend: "claude_code", gpus: 1 }));
    const direct = await db().task.findUniqueOrThrow({ where: { id: made.id } });
    const { id: _id, number: _number, branch, createdAt, updatedAt, queuedAt, ...rest } = direct;
    const viaPrisma = await db().task.create({
      data: {
        workspaceId, number: 99, title: rest.title, prompt: rest.prompt, backend: rest.backend, model: rest.model, permissionMode: rest.permissionMode,
        promptHistory: rest.promptHistory, queuedAt, dependsOn: rest.dependsOn, dependencyMode: rest.dependencyMode, fallbackBackend: rest.fallbackBackend,
        gpus: rest.gpus, reviewBackend: rest.reviewBackend, reviewModel: rest.reviewModel,
      },
    });
    const { id: _id2, number: _number2, branch: _branch2, createdAt: created2, updatedAt: _updated2, queuedAt: queued2, ...restViaPrisma } = viaPrisma;
    expect(rest).toEqual(restViaPrisma);
    expect(branch).toBe(`task-${made.id}`);
    expect(made.branch).toBe(branch);
    expect(queuedAt).toEqual(queued2);
    expect(createdAt).toEqual(queuedAt);
    expect(updatedAt).toEqual(queuedAt);
    expect(created2.getTime()).toBeGreaterThanOrEqual(queuedAt.getTime());
    // The stored text of each date, as Prisma's adapter writes it (sql-date.ts).
    const stored = await db().$queryRawUnsafe<{ queuedAt: string; createdAt: string; updatedAt: string }[]>(`SELECT CAST("queuedAt" AS TEXT) AS "queuedAt", CAST("createdAt" AS TEXT) AS "createdAt", CAST("updatedAt" AS TEXT) AS "updatedAt" FROM "Task" WHERE "id" IN (?, ?) ORDER BY "id"`, made.id, viaPrisma.id);
    for (const row of stored) for (const text of Object.values(row)) expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    // Numbered by the workspace's counter, one after the other.
    const next = await createTask(taskCreateSchema.parse({ workspaceId, prompt: "the next one", backend: "claude_code" }));
    expect(next.number).toBe(made.number + 1);
  });

  it("waits through Prisma while another process holds the write lock, and is written once", async () => {
    const Database = (await import("better-sqlite3")).default;
    const { db } = await import("@/server/db/client");
    const { createTask } = await import("@/server/tasks/service");
    const { taskCreateSchema } = await import("@/lib/schemas/task");
    const other = new Database(testDb.file);
    other.exec("BEGIN IMMEDIATE");
    let released = false;
    const release = setTimeout(() => {
      other.exec("COMMIT");
      released = true;
    }, 400);
    try {
      const made = await createTask(taskCreateSchema.parse({ workspaceId, prompt: "written while locked", backend: "claude_code" }));
      // Only once the other process let go: the direct connection found it busy and wrote nothing.
      expect(released).toBe(true);
      expect(await db().task.count({ where: { prompt: "written while locked" } })).toBe(1);
      expect(made.branch).toBe(`task-${made.id}`);
    } finally {
      clearTimeout(release);
      if (!released) other.exec("COMMIT");
      other.close();
    }
  });
});

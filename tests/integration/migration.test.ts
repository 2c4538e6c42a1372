import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { PROJECT_ROOT, useTestDatabase, type TestDb } from "./helpers/test-env";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => testDb.cleanup());

describe("migrations", () => {
  it("records each migration as Prisma does, and a second run applies nothing", async () => {
    const { migrateDatabase, listMigrations } = await import("@/server/db/migrate");
    const migrations = listMigrations(path.join(PROJECT_ROOT, "prisma", "migrations"));
    const again = migrateDatabase(testDb.file, path.join(PROJECT_ROOT, "prisma", "migrations"));
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(migrations.map((m) => m.name));
    const sqlite = new Database(testDb.file, { readonly: true });
    const rows = sqlite.prepare("SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations").all() as {
      migration_name: string; checksum: string; finished_at: number; applied_steps_count: number;
    }[];
    expect(rows.map((r) => r.checksum)).toEqual(migrations.map((m) => m.checksum));
    expect(rows.every((r) => r.finished_at > 0 && r.applied_steps_count === 1)).toBe(true);
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    sqlite.close();
  });

  it("round-trips every model through Prisma Client", async () => {
    const { db } = await import("@/server/db/client");
    const prisma = db();
    const runner = await prisma.runner.create({ data: { name: "r1", hostname: "h", capabilities: '{"x":1}' } });
    const workspace = await prisma.workspace.create({ data: { name: "w", type: "local", path: "/tmp/x", baseBranch: "main", gpuIndices: "[0,1]", runnerId: runner.id } });
    const task = await prisma.task.create({ data: { workspaceId: workspace.id, number: 1, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" } });
    const run = await prisma.run.create({ data: { taskId: task.id, kind: "initial", backend: "claude_code", model: "sonnet", prompt: "p", costUsd: 0.25, inputTokens: 7 } });
    await prisma.runLog.create({ data: { runId: run.id, seq: 1, kind: "assistant", data: '{"kind":"assistant","text":"hi"}' } });
    await prisma.quotaState.create({ data: { provider: "anthropic", state: "EXHAUSTED", resetsAt: new Date("2030-01-01T00:00:00Z") } });
    await prisma.setting.create({ data: { key: "k", value: '"v"' } });

    const loaded = await prisma.task.findUniqueOrThrow({ where: { id: task.id }, include: { workspace: { include: { runner: true } }, runs: { include: { logs: true } } } });
    expect(loaded.workspace.runner?.capabilities).toBe('{"x":1}');
    expect(loaded.workspace.gpuIndices).toBe("[0,1]");
    expect(loaded.runs[0]!.costUsd).toBe(0.25);
    expect(loaded.runs[0]!.logs[0]!.data).toContain("hi");
    expect(loaded.status).toBe("TODO");
    expect(loaded.createdAt).toBeInstanceOf(Date);
    const quota = await prisma.quotaState.findFirstOrThrow();
    expect(quota.resetsAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect((await prisma.setting.findUniqueOrThrow({ where: { key: "k" } })).value).toBe('"v"');
    // Dates written with raw SQL (the scheduler's claim) must read back through Prisma.
    await prisma.$executeRaw`UPDATE "Task" SET "startedAt" = ${new Date("2031-02-03T04:05:06.000Z").toISOString()} WHERE "id" = ${task.id}`;
    expect((await prisma.task.findUniqueOrThrow({ where: { id: task.id } })).startedAt?.toISOString()).toBe("2031-02-03T04:05:06.000Z");
  });
});

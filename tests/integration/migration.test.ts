import fs from "node:fs";
import os from "node:os";
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
    const { applyMigrations, listMigrations } = await import("@/server/db/migrate");
    const migrations = listMigrations(path.join(PROJECT_ROOT, "prisma", "migrations"));
    const again = applyMigrations(testDb.file, path.join(PROJECT_ROOT, "prisma", "migrations"));
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
    await prisma.deletedRunUsage.create({
      data: { runId: 9, taskId: 8, taskNumber: 1, workspaceId: null, taskModel: "sonnet", taskStatus: "FAILED", taskMerged: false, backend: "claude_code", model: "sonnet", inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd: 0.5, startedAt: new Date("2030-01-02T00:00:00Z") },
    });
    expect(await prisma.deletedRunUsage.findFirstOrThrow()).toMatchObject({ taskMerged: false, costUsd: 0.5, workspaceName: null, startedAt: new Date("2030-01-02T00:00:00Z") });

    const loaded = await prisma.task.findUniqueOrThrow({ where: { id: task.id }, include: { workspace: { include: { runner: true } }, runs: { include: { logs: true } } } });
    expect(loaded.workspace!.runner?.capabilities).toBe('{"x":1}');
    expect(loaded.workspace!.gpuIndices).toBe("[0,1]");
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

/** A migrations folder of its own: `<dir>/<name>/migration.sql` per entry. */
function migrationsDir(entries: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-migrations-"));
  for (const [name, sql] of Object.entries(entries)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

function rows(file: string) {
  const sqlite = new Database(file, { readonly: true });
  try {
    return sqlite.prepare("SELECT migration_name, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY started_at, rowid").all() as {
      migration_name: string; finished_at: number | null; rolled_back_at: number | null; logs: string | null; applied_steps_count: number;
    }[];
  } finally {
    sqlite.close();
  }
}

function tables(file: string): string[] {
  const sqlite = new Database(file, { readonly: true });
  try {
    return (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  } finally {
    sqlite.close();
  }
}

describe("the migration runner, like prisma migrate deploy", () => {
  const good = "CREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n";
  // The first statement succeeds, the second fails: a migration without a transaction would leave B behind.
  const broken = "CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO \"Missing\" VALUES (1);\n";

  it("rolls a failing migration back whole, records it as failed and refuses later starts until it is resolved", async () => {
    const { applyMigrations, MigrationError, resolveMigration } = await import("@/server/db/migrate");
    const file = path.join(testDb.dir, "failing.sqlite");
    const dir = migrationsDir({ "20990101000000_a": good, "20990102000000_b": broken, "20990103000000_c": "CREATE TABLE \"C\" (\"id\" INTEGER);\n" });

    const first = (() => {
      try {
        applyMigrations(file, dir);
      } catch (error) {
        return error;
      }
      throw new Error("the broken migration did not fail");
    })();
    expect(first).toBeInstanceOf(MigrationError);
    expect((first as InstanceType<typeof MigrationError>).code).toBe("P3018");
    expect((first as Error).message).toMatch(/Migration 20990102000000_b failed: no such table: Missing/);
    expect((first as Error).message).toContain("scripts/migrate-resolve.ts --rolled-back 20990102000000_b");
    // A is applied, B left nothing behind (its CREATE TABLE was rolled back), C was not attempted.
    expect(tables(file)).toEqual(["A"]);
    expect(rows(file).map((row) => [row.migration_name, row.finished_at !== null, row.applied_steps_count])).toEqual([
      ["20990101000000_a", true, 1],
      ["20990102000000_b", false, 0],
    ]);
    expect(rows(file)[1]!.logs).toContain("no such table: Missing");

    // The next start refuses, naming the failed migration and how to resolve it (P3009).
    expect(() => applyMigrations(file, dir)).toThrow(/failed migration.*P3009.*20990102000000_b.*--rolled-back 20990102000000_b/s);
    expect(tables(file)).toEqual(["A"]);

    // Fixed and marked rolled back: the next start applies it anew, then C.
    fs.writeFileSync(path.join(dir, "20990102000000_b", "migration.sql"), "CREATE TABLE \"B\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n");
    expect(() => resolveMigration(file, dir, "20990101000000_a", "rolled-back")).toThrow(/not recorded as failed/);
    resolveMigration(file, dir, "20990102000000_b", "rolled-back");
    expect(applyMigrations(file, dir)).toEqual({ applied: ["20990102000000_b", "20990103000000_c"], alreadyApplied: ["20990101000000_a"] });
    expect(tables(file)).toEqual(["A", "B", "C"]);
    const b = rows(file).filter((row) => row.migration_name === "20990102000000_b");
    expect(b.map((row) => [row.finished_at !== null, row.rolled_back_at !== null])).toEqual([[false, true], [true, false]]);
  });

  it("resolve --applied records a failed migration as applied without running it", async () => {
    const { applyMigrations, resolveMigration } = await import("@/server/db/migrate");
    const file = path.join(testDb.dir, "resolved.sqlite");
    const dir = migrationsDir({ "20990101000000_a": good, "20990102000000_b": broken });
    expect(() => applyMigrations(file, dir)).toThrow(/20990102000000_b failed/);
    resolveMigration(file, dir, "20990102000000_b", "applied");
    expect(applyMigrations(file, dir)).toEqual({ applied: [], alreadyApplied: ["20990101000000_a", "20990102000000_b"] });
    expect(tables(file)).toEqual(["A"]);
  });

  it("migrates a database once per process: a second migrateDatabase does not touch it", async () => {
    const { migrateDatabase } = await import("@/server/db/migrate");
    const file = path.join(testDb.dir, "once.sqlite");
    const dir = migrationsDir({ "20990101000000_a": good });
    expect(migrateDatabase(file, dir)).toEqual({ applied: ["20990101000000_a"], alreadyApplied: [] });
    // Even a new pending migration waits for the next start: the second call (boot after server.ts) opens nothing.
    fs.mkdirSync(path.join(dir, "20990102000000_b"));
    fs.writeFileSync(path.join(dir, "20990102000000_b", "migration.sql"), broken);
    expect(migrateDatabase(file, dir)).toEqual({ applied: [], alreadyApplied: ["20990101000000_a"] });
    expect(rows(file).map((row) => row.migration_name)).toEqual(["20990101000000_a"]);
    // Opening the database would create it again: a moved-away file stays away.
    fs.renameSync(file, `${file}.moved`);
    migrateDatabase(file, dir);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("refuses a migration changed after it was applied", async () => {
    const { applyMigrations } = await import("@/server/db/migrate");
    const file = path.join(testDb.dir, "changed.sqlite");
    const dir = migrationsDir({ "20990101000000_a": good });
    applyMigrations(file, dir);
    fs.writeFileSync(path.join(dir, "20990101000000_a", "migration.sql"), `${good}-- edited\n`);
    expect(() => applyMigrations(file, dir)).toThrow(/changed after it was applied/);
  });

  it("rebuilds Task for pool tasks without losing rows or what refers to them (foreign keys off around the rebuild)", async () => {
    const { applyMigrations } = await import("@/server/db/migrate");
    const all = path.join(PROJECT_ROOT, "prisma", "migrations");
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-migrations-"));
    for (const name of fs.readdirSync(all).filter((entry) => entry < "20261205100000")) fs.cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const file = path.join(testDb.dir, "pool-rebuild.sqlite");
    applyMigrations(file, before);
    const sqlite = new Database(file);
    sqlite.exec(`INSERT INTO "Workspace" ("id", "name", "type", "path", "baseBranch", "updatedAt") VALUES (7, 'w', 'local', '/r', 'main', 0)`);
    sqlite.exec(`INSERT INTO "Task" ("id", "workspaceId", "number", "title", "prompt", "backend", "model", "permissionMode", "updatedAt", "gpus") VALUES (3, 7, 1, 't', 'p', 'claude_code', 'm', 'default', 0, 2)`);
    sqlite.exec(`INSERT INTO "Run" ("id", "taskId", "kind", "backend", "model", "prompt") VALUES (5, 3, 'initial', 'claude_code', 'm', 'p')`);
    sqlite.close();

    expect(applyMigrations(file, all).applied).toContain("20261205100000_pool_tasks");
    const after = new Database(file, { readonly: true });
    expect(after.prepare(`SELECT "workspaceId", "poolId", "number", "gpus" FROM "Task" WHERE "id" = 3`).get()).toEqual({ workspaceId: 7, poolId: null, number: 1, gpus: 2 });
    expect(after.prepare(`SELECT "taskId" FROM "Run" WHERE "id" = 5`).get()).toEqual({ taskId: 3 });
    const workspaceColumn = (after.pragma("table_info(Task)") as { name: string; notnull: number }[]).find((column) => column.name === "workspaceId");
    expect(workspaceColumn?.notnull).toBe(0);
    expect(after.pragma("foreign_key_check")).toEqual([]);
    after.close();
  });
});

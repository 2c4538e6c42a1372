import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { processSingleton } from "../singleton";

/**
 * Applies prisma/migrations/<name>/migration.sql in order and records each in
 * `_prisma_migrations` as `prisma migrate deploy` does, so a database migrated here stays
 * compatible with Prisma's own tooling. It exists because Prisma's schema engine is a download
 * that offline machines cannot fetch.
 *
 * Like `migrate deploy`: each migration runs in one transaction with its `_prisma_migrations`
 * row, so a failing one changes nothing; it is then recorded as failed (finished_at NULL, the
 * error in `logs`) and every later start refuses to migrate until it is resolved (Prisma's P3009),
 * with `scripts/migrate-resolve.ts` or `prisma migrate resolve`.
 */

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** A migration that failed now (P3018) or earlier and is not resolved yet (P3009). */
export class MigrationError extends Error {
  readonly code: "P3009" | "P3018";
  readonly migration: string;
  constructor(code: "P3009" | "P3018", migration: string, message: string) {
    super(message);
    this.name = "MigrationError";
    this.code = code;
    this.migration = migration;
  }
}

export function listMigrations(migrationsDir: string): MigrationFile[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function howToResolve(name: string): string {
  return (
    `Fix the cause, then mark it rolled back with \`npx tsx scripts/migrate-resolve.ts --rolled-back ${name}\` ` +
    `(or \`npx prisma migrate resolve --rolled-back ${name}\` where Prisma's engine can be downloaded) and start again: ` +
    `it will be applied anew. If you applied its changes by hand instead, use --applied.`
  );
}

interface FailedRow {
  migration_name: string;
  started_at: number | string;
  logs: string | null;
}

function refuseIfFailed(db: Database.Database): void {
  const failed = db
    .prepare(`SELECT migration_name, started_at, logs FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY started_at`)
    .get() as FailedRow | undefined;
  if (!failed) return;
  const reason = failed.logs ? `: ${failed.logs.split("\n")[0]}` : "";
  throw new MigrationError(
    "P3009",
    failed.migration_name,
    `The database has a failed migration, so no migration is applied and the server does not start (as Prisma's P3009). ` +
      `Migration ${failed.migration_name}, started at ${new Date(Number(failed.started_at)).toISOString()}, failed${reason}. ${howToResolve(failed.migration_name)}`,
  );
}

function openDatabase(databaseFile: string): Database.Database {
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
  const db = new Database(databaseFile, { timeout: 10_000 });
  db.pragma("journal_mode = WAL");
  db.exec(MIGRATIONS_TABLE);
  return db;
}

function appliedChecksum(db: Database.Database, name: string): string | undefined {
  const row = db
    .prepare(`SELECT checksum FROM _prisma_migrations WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .get(name) as { checksum: string } | undefined;
  return row?.checksum;
}

/** Applies the pending migrations now, whatever ran before in this process. */
export function applyMigrations(databaseFile: string, migrationsDir: string): MigrationResult {
  const db = openDatabase(databaseFile);
  try {
    refuseIfFailed(db);
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of listMigrations(migrationsDir)) {
      const knownChecksum = appliedChecksum(db, migration.name);
      if (knownChecksum !== undefined) {
        if (knownChecksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied (checksum mismatch): restore its migration.sql.`);
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      if (applyOne(db, migration)) result.applied.push(migration.name);
      else result.alreadyApplied.push(migration.name);
    }
    return result;
  } finally {
    db.close();
  }
}

/**
 * One migration and its row in one IMMEDIATE transaction (a second process waits, then sees it
 * applied). On failure nothing of it stays; a failed row is recorded and the start stops.
 * Returns false when another process applied it meanwhile.
 */
function applyOne(db: Database.Database, migration: MigrationFile): boolean {
  const startedAt = Date.now();
  // A table rebuild (Prisma's RedefineTables) drops the old table: with foreign keys on, that
  // would cascade into the tables referring to it. Its own PRAGMAs are no-ops inside a
  // transaction, so they are switched off here and the keys checked before the commit.
  db.pragma("foreign_keys = OFF");
  try {
    return db
      .transaction(() => {
        if (appliedChecksum(db, migration.name) !== undefined) return false;
        db.exec(migration.sql);
        const broken = db.pragma("foreign_key_check") as { table: string }[];
        if (broken.length > 0) throw new Error(`foreign key check failed in ${[...new Set(broken.map((row) => row.table))].join(", ")}`);
        db.prepare(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), migration.checksum, migration.name, startedAt, Date.now());
        return true;
      })
      .immediate();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    db.prepare(`INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 0)`).run(
      randomUUID(),
      migration.checksum,
      migration.name,
      message,
      startedAt,
    );
    throw new MigrationError(
      "P3018",
      migration.name,
      `Migration ${migration.name} failed: ${message}. Nothing of it was applied (it ran in one transaction); it is recorded as failed, ` +
        `and later starts refuse to migrate until it is resolved. ${howToResolve(migration.name)}`,
    );
  } finally {
    db.pragma("foreign_keys = ON");
  }
}


/**
 * Applies the pending migrations once per process and database file: server.ts and the
 * services' boot (a separate module graph under Next) both call it; the second call returns
 * the first's result without touching the database.
 */
export function migrateDatabase(databaseFile: string, migrationsDir: string): MigrationResult {
  const done = processSingleton("migrated-databases", () => new Map<string, MigrationResult>());
  const key = path.resolve(databaseFile);
  const previous = done.get(key);
  if (previous) return { applied: [], alreadyApplied: [...previous.alreadyApplied, ...previous.applied] };
  const result = applyMigrations(databaseFile, migrationsDir);
  done.set(key, result);
  return result;
}

/**
 * `prisma migrate resolve` for a failed migration: `rolled-back` lets the next start apply it
 * anew; `applied` records it as applied (its changes were made by hand).
 */
export function resolveMigration(databaseFile: string, migrationsDir: string, name: string, as: "rolled-back" | "applied"): void {
  const db = openDatabase(databaseFile);
  try {
    db.transaction(() => {
      const { changes } = db
        .prepare(`UPDATE _prisma_migrations SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL`)
        .run(Date.now(), name);
      if (changes === 0) throw new Error(`Migration ${name} is not recorded as failed: there is nothing to resolve.`);
      if (as === "rolled-back") return;
      const migration = listMigrations(migrationsDir).find((candidate) => candidate.name === name);
      if (!migration) throw new Error(`There is no migration ${name} in ${migrationsDir}.`);
      const now = Date.now();
      db.prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 0)`,
      ).run(randomUUID(), migration.checksum, name, now, now);
    })();
  } finally {
    db.close();
  }
}

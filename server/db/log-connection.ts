import Database from "better-sqlite3";
import { config } from "@/server/config";
import { releaseWhenQuiet } from "@/server/idle-gc";
import { peekSingleton, setSingleton } from "@/server/singleton";
import { checkpointOffThread, SAFETY_NET_PAGES } from "./wal-checkpoint";

/**
 * A second connection to the database, for the run log's hot path (server/events/log-store.ts), a
 * new task's insert (server/tasks/insert-task.ts), the few reads of many rows and the reads every
 * request makes (directRead: settings, a page's merge-queue places and overlaps):
 * prepared statements, bound once, and one transaction per batch, without Prisma's per-parameter
 * JSON round trip and its per-query `prepare`. It never waits for a lock (busy timeout 0): while
 * another writer holds one (Prisma's connection in a batch transaction, another process), the
 * caller gets `null` from `tryLogTransaction` and takes the Prisma path, which waits as usual.
 */
interface LogConnection {
  file: string;
  db: Database.Database;
  statements: Map<string, Database.Statement>;
}

const NAME = "log-connection";
/** The connection's page cache, in KiB. */
const CACHE_KB = 4000;

function connection(): LogConnection {
  const file = config().databaseFile;
  const current = peekSingleton<LogConnection>(NAME);
  if (current?.file === file && current.db.open) return current;
  current?.db.close();
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  // As on Prisma's connection (client.ts): no fsync per commit; a batch of log lines every few ms
  // would otherwise wait for the disk on the main thread each time.
  db.pragma("synchronous = NORMAL");
  // A page cache of 4 MB instead of the driver's 16: a run's log is written once, at the B-tree's
  // right edge, and read back in order, so the cache holds little worth keeping, while every page
  // it held stayed in the process's malloc heap for good. After 50 SSE clients followed a
  // 200,000-line run the heap stood 16.7 MB above its size at start with 16 MB, 8.3 MB with 4
  // (bench/README.md, 2026-12-04); the one-run pipeline read 51.7-54.1k lines/s against 46.6-48.6k.
  db.pragma(`cache_size = -${CACHE_KB}`);
  // As on Prisma's connection: once boot named a checkpointer, this connection only past the safety net.
  if (checkpointOffThread(file)) db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  const next: LogConnection = { file, db, statements: new Map() };
  setSingleton(NAME, next);
  // The pages a burst of log reads left in its cache go back once the server is quiet (idle-gc.ts).
  releaseWhenQuiet(NAME, () => db.pragma("shrink_memory"));
  return next;
}

/** The connection's statement for `sql`, prepared on first use. */
function statementOf(conn: LogConnection, sql: string): Database.Statement {
  let prepared = conn.statements.get(sql);
  if (!prepared) {
    prepared = conn.db.prepare(sql);
    conn.statements.set(sql, prepared);
  }
  return prepared;
}

export interface LogStatements {
  /** A statement prepared once per connection and reused. */
  statement(sql: string): Database.Statement;
}

/**
 * Runs `work` in one transaction on the log connection; null when the database is busy (nothing
 * was written: the transaction rolled back). Other errors (a foreign key, a full disk) are thrown.
 */
export function tryLogTransaction<T>(work: (statements: LogStatements) => T): T | null {
  const conn = connection();
  const statements: LogStatements = { statement: (sql) => statementOf(conn, sql) };
  try {
    return conn.db.transaction(() => work(statements)).immediate();
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) return null;
    throw error;
  }
}

/**
 * Rows of a read on this connection, through a statement prepared once, without Prisma's per-row
 * conversion: for the hot reads that return many rows (a log page, the scheduler's queue). It sees
 * what is committed (WAL); values come as SQLite has them (dates as their stored text).
 */
export function directRead<Row>(sql: string, ...args: unknown[]): Row[] {
  return statementOf(connection(), sql).all(...args) as Row[];
}

/**
 * Like directRead, each row as an array of its values in the SELECT's order (better-sqlite3's raw
 * mode): no object with named properties is made per row, which cost more than reading the row.
 */
export function directReadValues(sql: string, ...args: unknown[]): unknown[][] {
  const statement = statementOf(connection(), sql);
  try {
    return statement.raw(true).all(...args) as unknown[][];
  } finally {
    statement.raw(false);
  }
}

/** Closes the log connection (tests switching databases, shutdown). */
export function closeLogConnection(): void {
  peekSingleton<LogConnection>(NAME)?.db.close();
  setSingleton(NAME, undefined);
}

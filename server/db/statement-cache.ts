/**
 * Prisma's SQLite adapter prepares every query's SQL again on every call (`prepare(sql).bind(args)`),
 * and preparing cost the server about a tenth of its busy time under load (bench/PROFILE.md). The
 * SQL Prisma generates repeats, so the connection's prepare() is wrapped: each distinct SQL text is
 * prepared once and kept (the least recently used dropped past a bound), and bind(args) returns a
 * light view that passes the arguments on each run instead of binding them into the statement.
 *
 * Only the calls the adapter makes are offered (reader, columns, raw().all, run); better-sqlite3
 * is synchronous, so a statement is never used by two queries at once. A statement's columns are
 * read once and kept with it.
 */
import type BetterSqlite3 from "better-sqlite3";

type Statement = BetterSqlite3.Statement<unknown[]>;

/** What the adapter does with a prepared statement once bound. */
export interface BoundView {
  readonly reader: boolean;
  columns(): BetterSqlite3.ColumnDefinition[];
  raw(): { all(): unknown[] };
  run(): BetterSqlite3.RunResult;
}

export interface PreparedView {
  readonly reader: boolean;
  bind(args: unknown[]): BoundView;
  /** Without arguments (the adapter's BEGIN). */
  run(): BetterSqlite3.RunResult;
}

const DEFAULT_LIMIT = 500;

/** Wraps `database.prepare` in place; returns the cache for figures and tests. */
export function cachePreparedStatements(database: Pick<BetterSqlite3.Database, "prepare">, limit = DEFAULT_LIMIT): { size(): number; prepared(): number } {
  const prepare = database.prepare.bind(database) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  let prepared = 0;
  const statementFor = (sql: string): Statement => {
    const cached = cache.get(sql);
    if (cached) {
      // Most recently used last, so the first key is the one to drop.
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = prepare(sql);
    prepared += 1;
    cache.set(sql, statement);
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
    return statement;
  };
  // A statement's columns are fixed once prepared (Prisma names each one), and the adapter asks for
  // them on every query: 3% of the server's busy time under the load test went to building them anew.
  const columnsOf = new WeakMap<Statement, BetterSqlite3.ColumnDefinition[]>();
  const columns = (statement: Statement) => {
    let known = columnsOf.get(statement);
    if (!known) {
      known = statement.columns();
      columnsOf.set(statement, known);
    }
    return known;
  };
  const view = (statement: Statement): PreparedView => ({
    reader: statement.reader,
    bind: (args) => ({
      reader: statement.reader,
      columns: () => columns(statement),
      raw: () => ({ all: () => statement.raw(true).all(...args) }),
      run: () => statement.run(...args),
    }),
    run: () => statement.run(),
  });
  (database as { prepare: (sql: string) => PreparedView }).prepare = (sql: string) => view(statementFor(sql));
  return { size: () => cache.size, prepared: () => prepared };
}

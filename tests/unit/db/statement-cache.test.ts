import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cachePreparedStatements, type PreparedView } from "@/server/db/statement-cache";

function database() {
  const db = new Database(":memory:");
  db.defaultSafeIntegers(true);
  db.exec("CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT NOT NULL)");
  return db;
}

describe("the prepared statement cache", () => {
  it("prepares each SQL text once and answers exactly as freshly prepared statements do", () => {
    const plain = database();
    const cached = database();
    const cache = cachePreparedStatements(cached);
    const prepare = (db: Database.Database) => (sql: string) => db.prepare(sql) as unknown as PreparedView;
    for (const db of [plain, cached]) {
      prepare(db)("BEGIN").run();
      for (const title of ["a", "b", "c"]) prepare(db)("INSERT INTO task (title) VALUES (?)").bind([title]).run();
      prepare(db)("COMMIT").run();
    }
    const query = "SELECT id, title FROM task WHERE id >= ? ORDER BY id";
    const answer = (db: Database.Database, from: number) => {
      const bound = prepare(db)(query).bind([from]);
      return { reader: bound.reader, columns: bound.columns().map((column) => column.name), rows: bound.raw().all() };
    };
    for (const from of [1, 2, 3]) expect(answer(cached, from)).toEqual(answer(plain, from));
    expect(answer(cached, 2).rows).toEqual([[2n, "b"], [3n, "c"]]);
    // The columns are read once per statement, and stay what a fresh statement says.
    const first = prepare(cached)(query).bind([1]).columns();
    expect(prepare(cached)(query).bind([2]).columns()).toBe(first);
    expect(first).toEqual(prepare(plain)(query).bind([1]).columns());
    // BEGIN, INSERT, COMMIT and the SELECT: four texts, each prepared once.
    expect(cache.prepared()).toBe(4);
    expect(cache.size()).toBe(4);
  });

  it("keeps at most its limit, dropping the least recently used", () => {
    const db = database();
    const cache = cachePreparedStatements(db, 2);
    const run = (sql: string) => (db.prepare(sql) as unknown as PreparedView).bind([]).raw().all();
    run("SELECT 1");
    run("SELECT 2");
    run("SELECT 1");
    run("SELECT 3"); // drops SELECT 2, the least recently used
    run("SELECT 1");
    expect(cache.prepared()).toBe(3);
    run("SELECT 2");
    expect(cache.prepared()).toBe(4);
    expect(cache.size()).toBe(2);
  });

  it("throws SQLite's own error for wrong arguments when run, as a bound statement does", () => {
    const db = database();
    cachePreparedStatements(db);
    const bound = (db.prepare("SELECT * FROM task WHERE id = ?") as unknown as PreparedView).bind([1, 2]);
    expect(() => bound.raw().all()).toThrow(RangeError);
  });
});

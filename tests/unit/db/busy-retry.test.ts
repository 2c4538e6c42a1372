/**
 * The Prisma adapter's connection waiting for another connection's write lock: between turns of
 * the event loop, not inside SQLite; up to its deadline, then the busy error; never for a
 * transaction whose snapshot is stale. Real SQLite files, the real adapter.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { retryBusyAsync } from "@/server/db/busy-retry";

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;

let dir: string;
let file: string;
let other: Database.Database;
let adapter: Adapter;

const sql = (text: string) => ({ sql: text, args: [], argTypes: [] });

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "busy-retry-"));
  file = path.join(dir, "db.sqlite");
  other = new Database(file);
  other.pragma("journal_mode = WAL");
  other.exec("CREATE TABLE t (v INTEGER)");
  adapter = await new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }).connect();
  expect(retryBusyAsync(adapter, 1_000)).toBe(true);
  (adapter as unknown as { client: Database.Database }).client.pragma("busy_timeout = 0");
});

afterEach(async () => {
  if (other.inTransaction) other.exec("ROLLBACK");
  other.close();
  await adapter.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Counts event-loop turns (timers firing) while `work` runs. */
async function ticksDuring<T>(work: Promise<T>): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 10);
  try {
    return { value: await work, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe("retryBusyAsync", () => {
  it("a write waits for another connection's lock while the event loop goes on, and succeeds once it is released", async () => {
    other.exec("BEGIN IMMEDIATE");
    setTimeout(() => other.exec("COMMIT"), 300);
    const started = Date.now();
    const { value, ticks } = await ticksDuring(adapter.executeRaw(sql("INSERT INTO t VALUES (1)")));
    expect(value).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // A synchronous busy wait would have let no timer fire in those 300 ms.
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(other.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
  });

  it("reads are not held up by the lock (WAL), and a write still locked at the deadline fails with the busy error", async () => {
    other.exec("BEGIN IMMEDIATE");
    expect((await adapter.queryRaw(sql("SELECT count(*) AS n FROM t"))).rows).toEqual([[0]]);
    const started = Date.now();
    const error = await adapter.executeRaw(sql("INSERT INTO t VALUES (2)")).then(() => null, (failure: unknown) => failure);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect((error as { cause?: { kind?: string } }).cause?.kind).toBe("SocketTimeout");
    other.exec("ROLLBACK");
    expect(other.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 0 });
  });

  it("a transaction's first write waits too, and commits", async () => {
    const transaction = await adapter.startTransaction();
    other.exec("BEGIN IMMEDIATE");
    setTimeout(() => other.exec("COMMIT"), 200);
    expect(await transaction.executeRaw(sql("INSERT INTO t VALUES (3)"))).toBe(1);
    await transaction.executeRaw(sql("COMMIT"));
    await transaction.commit();
    expect(other.prepare("SELECT v FROM t").all()).toEqual([{ v: 3 }]);
  });

  it("a transaction whose snapshot another writer overtook fails at once (SQLITE_BUSY_SNAPSHOT is not waited on)", async () => {
    const transaction = await adapter.startTransaction();
    await transaction.queryRaw(sql("SELECT count(*) FROM t"));
    other.exec("INSERT INTO t VALUES (4)");
    const started = Date.now();
    const error = await transaction.executeRaw(sql("INSERT INTO t VALUES (5)")).then(() => null, (failure: unknown) => failure);
    expect(error).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
    await transaction.executeRaw(sql("ROLLBACK"));
    await transaction.rollback();
    expect(other.prepare("SELECT v FROM t").all()).toEqual([{ v: 4 }]);
  });
});

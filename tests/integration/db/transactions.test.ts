/**
 * The process's one SQLite connection shared by concurrent requests and a transaction: what other
 * code writes while a transaction is open is not taken into it (server/db/transaction-gate.ts).
 * Against the app's own Prisma client on a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => {
  await testDb.cleanup();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("statements outside an open transaction", () => {
  it("a write made while another transaction is open survives that transaction's rollback", async () => {
    const { db } = await import("@/server/db/client");
    let outsideDone = false;
    const rolledBack = db()
      .$transaction(async (tx) => {
        await tx.setting.create({ data: { key: "inside", value: "1" } });
        // Another request writes now, while this transaction waits between its statements.
        await pause(300);
        expect(outsideDone).toBe(false);
        throw new Error("rolled back");
      })
      .catch((error: Error) => error.message);
    await pause(50);
    await db().setting.create({ data: { key: "outside", value: "2" } });
    outsideDone = true;
    expect(await rolledBack).toBe("rolled back");
    const keys = (await db().setting.findMany({ where: { key: { in: ["inside", "outside"] } }, select: { key: true } })).map((row) => row.key);
    expect(keys).toEqual(["outside"]);
  });

  it("a read made while a transaction is open waits for its commit and sees what it wrote", async () => {
    const { db } = await import("@/server/db/client");
    let bodyDone = false;
    const committed = db().$transaction(async (tx) => {
      await tx.setting.create({ data: { key: "committed", value: "3" } });
      await pause(200);
      bodyDone = true;
    });
    await pause(50);
    const seen = await db().setting.findUnique({ where: { key: "committed" } });
    // Not read from inside the open transaction: only once it was done.
    expect(bodyDone).toBe(true);
    expect(seen?.value).toBe("3");
    await committed;
  });
});

describe("the connections' durability settings", () => {
  it("both connections are in WAL with synchronous NORMAL: no fsync per commit, checkpoints flush", async () => {
    const { db } = await import("@/server/db/client");
    const { directRead } = await import("@/server/db/log-connection");
    const prisma = await db().$queryRawUnsafe<{ synchronous: number | bigint }[]>("PRAGMA synchronous");
    const journal = await db().$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect([Number(prisma[0]!.synchronous), journal[0]!.journal_mode]).toEqual([1, "wal"]);
    expect(directRead<{ synchronous: number }>("PRAGMA synchronous")).toEqual([{ synchronous: 1 }]);
  });
});

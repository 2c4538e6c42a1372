/**
 * Checkpoints happen in the spawner's worker thread (server/db/wal-checkpoint.ts), not inside the
 * server's commits: the server's connections checkpoint only past the safety net, and what they
 * commit still reaches the database file, copied there by the spawner's worker.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { seedRun, seedTask, useLogDatabase } from "../logs/log-fixture";

useLogDatabase();

const MB = 1024 * 1024;

describe("WAL checkpoints off the server's thread", () => {
  it("the server's connections leave checkpoints to the spawner, whose worker copies 24 MB of log into the database file", async () => {
    const { config } = await import("@/server/config");
    const { db, disconnectDb } = await import("@/server/db/client");
    const { directRead } = await import("@/server/db/log-connection");
    const { RunLogWriter } = await import("@/server/events/log-writer");
    const { checkpointElsewhere, SAFETY_NET_PAGES } = await import("@/server/db/wal-checkpoint");
    const { spawnerCheckpointer } = await import("@/server/exec/wal-checkpointer");
    const { services } = await import("@/server/services");
    // As boot does it, then connections made anew.
    checkpointElsewhere(spawnerCheckpointer);
    await disconnectDb();
    const runId = await seedRun((await seedTask()).taskId);

    const prismaSetting = await db().$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
    expect(Number(prismaSetting[0]!.wal_autocheckpoint)).toBe(SAFETY_NET_PAGES);
    expect(directRead<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint")[0]!.wal_autocheckpoint).toBe(SAFETY_NET_PAGES);

    // 24 MB of log, below the safety net's 10,000 pages (40 MB): the server's connections leave it
    // all in the WAL. Only a checkpoint copies pages into the database file itself, so the file
    // growing by the log's size shows that the spawner's worker checkpointed.
    const file = config().databaseFile;
    const before = fs.statSync(file).size;
    const writer = new RunLogWriter(runId, services().bus, 200 * MB);
    for (let slice = 0; slice < 48; slice += 1) {
      writer.append(Array.from({ length: 500 }, (_, index) => ({ kind: "system" as const, message: `${slice}:${index} ${"x".repeat(1000)}` })));
      await writer.flush();
    }
    await writer.close();
    const grown = () => fs.statSync(file).size - before;
    for (const deadline = Date.now() + 10_000; grown() < 20 * MB && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(grown(), `the database file grew by ${(grown() / MB).toFixed(1)} MB`).toBeGreaterThanOrEqual(20 * MB);
    expect(directRead<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "RunLog" WHERE "runId" = ?`, runId)[0]!.n).toBe(48 * 500);
    checkpointElsewhere(null);
  });
});

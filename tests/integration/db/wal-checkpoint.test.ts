/**
 * Checkpoints happen in the spawner's worker thread (server/db/wal-checkpoint.ts), not inside the
 * server's commits: the server's connections checkpoint only past the safety net, and the WAL
 * still stays small while log batches are written, because the spawner copied it back meanwhile.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { seedRun, seedTask, useLogDatabase } from "../logs/log-fixture";

useLogDatabase();

const MB = 1024 * 1024;

describe("WAL checkpoints off the server's thread", () => {
  it("the server's connections leave checkpoints to the spawner, and the WAL stays small while 24 MB of log is written", async () => {
    const { config } = await import("@/server/config");
    const { db } = await import("@/server/db/client");
    const { directRead } = await import("@/server/db/log-connection");
    const { RunLogWriter } = await import("@/server/events/log-writer");
    const { SAFETY_NET_PAGES } = await import("@/server/db/wal-checkpoint");
    const { services } = await import("@/server/services");
    const runId = await seedRun((await seedTask()).taskId);

    const prismaSetting = await db().$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>("PRAGMA wal_autocheckpoint");
    expect(Number(prismaSetting[0]!.wal_autocheckpoint)).toBe(SAFETY_NET_PAGES);
    expect(directRead<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint")[0]!.wal_autocheckpoint).toBe(SAFETY_NET_PAGES);

    // 24 MB over about 3 s: far past the 1,000 pages (4 MB) SQLite would checkpoint at by itself,
    // below the safety net's 10,000 (40 MB). Without a checkpoint elsewhere the WAL would hold it all.
    const writer = new RunLogWriter(runId, services().bus, 200 * MB);
    const wal = `${config().databaseFile}-wal`;
    let largest = 0;
    for (let slice = 0; slice < 48; slice += 1) {
      writer.append(Array.from({ length: 500 }, (_, index) => ({ kind: "system" as const, message: `${slice}:${index} ${"x".repeat(1000)}` })));
      await writer.flush();
      largest = Math.max(largest, fs.statSync(wal).size);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await writer.close();
    expect(largest, `the WAL reached ${(largest / MB).toFixed(1)} MB`).toBeLessThan(16 * MB);
    expect(directRead<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "RunLog" WHERE "runId" = ?`, runId)[0]!.n).toBe(48 * 500);
  });
});

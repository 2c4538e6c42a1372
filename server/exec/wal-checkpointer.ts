import fs from "node:fs";
import path from "node:path";
import { config } from "@/server/config";
import type { WalCheckpointer } from "@/server/db/wal-checkpoint";
import { sharedSpawner } from "./spawner";

/**
 * Every 250 ms. An agent printing as fast as it can writes 20-30 MB of log a second; checked each
 * second, the WAL can pass the safety net between checks, and a log batch's commit then
 * checkpoints on the server's thread (a CPU profile of a 200,000-line run found 2.1 s in the
 * batches' transactions, about 10 µs a row, where the inserts alone take 4.4). Such a run reached
 * an SSE client at 29-31k lines/s; checked every 250 ms, at 35-45k lines/s, the main thread's CPU
 * down from about 5.7 s to 3.9-4.8 s (three runs each; bench/README.md, "The insert's floor, and
 * checkpoints that keep up"). A check with nothing to copy costs microseconds.
 */
const INTERVAL_MS = 250;

/**
 * The spawner as the databases' checkpointer (server/db/wal-checkpoint.ts): a worker thread of
 * spawner.cjs makes a PASSIVE checkpoint of the file every 250 ms, once asked (once per file, and
 * again in a spawner that restarted). It cannot when no spawner runs (AI_SLAVE_SPAWNER=off) or
 * better-sqlite3 is not where it is looked for.
 */
export const spawnerCheckpointer: WalCheckpointer = (file) => {
  const spawner = sharedSpawner();
  const module = path.join(/*turbopackIgnore: true*/ config().projectRoot, "node_modules", "better-sqlite3");
  if (!spawner || !fs.existsSync(module)) return false;
  spawner.checkpointWal(file, module, INTERVAL_MS);
  return true;
};

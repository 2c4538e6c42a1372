import fs from "node:fs";
import path from "node:path";
import { config } from "@/server/config";
import type { WalCheckpointer } from "@/server/db/wal-checkpoint";
import { sharedSpawner } from "./spawner";

const INTERVAL_MS = 1_000;

/**
 * The spawner as the databases' checkpointer (server/db/wal-checkpoint.ts): a worker thread of
 * spawner.cjs makes a PASSIVE checkpoint of the file each second, once asked (once per file, and
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

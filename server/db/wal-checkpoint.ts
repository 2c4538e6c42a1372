/**
 * Checkpoints off the server's thread. In WAL mode SQLite copies the log into the database file
 * (a checkpoint, with an fsync) inside whichever commit takes the WAL past `wal_autocheckpoint`
 * pages: on the server that is a log batch's commit on the event loop, 24-61 ms every 2-3 s while
 * ten agents print (bench/README.md, "Where the paced log runs stall"). So the spawner checkpoints
 * each second in a worker thread of its own (server/exec/spawner.cjs), and the server's
 * connections keep their own checkpoint only as a safety net, at SAFETY_NET_PAGES, should that
 * worker not run.
 */
import fs from "node:fs";
import path from "node:path";
import { config } from "@/server/config";
import { sharedSpawner } from "@/server/exec/spawner";

const INTERVAL_MS = 1_000;

/** Pages (4 KiB each) of WAL at which a connection of the server checkpoints in its own commit. */
export const SAFETY_NET_PAGES = 10_000;

/**
 * Starts the spawner's checkpointer of the database (once per file, and again in a spawner that
 * restarted). False when no spawner runs (AI_SLAVE_SPAWNER=off) or better-sqlite3 is not where it
 * is looked for: the connections then checkpoint as SQLite does by default.
 */
export function checkpointOffThread(file: string): boolean {
  const spawner = sharedSpawner();
  const module = path.join(/*turbopackIgnore: true*/ config().projectRoot, "node_modules", "better-sqlite3");
  if (!spawner || !fs.existsSync(module)) return false;
  spawner.checkpointWal(file, module, INTERVAL_MS);
  return true;
}

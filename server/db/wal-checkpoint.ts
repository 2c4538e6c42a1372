/**
 * Checkpoints off the server's thread. In WAL mode SQLite copies the log into the database file
 * (a checkpoint, with an fsync) inside whichever commit takes the WAL past `wal_autocheckpoint`
 * pages: on the server that is a log batch's commit on the event loop, 24-61 ms every 2-3 s while
 * ten agents print (bench/README.md, "Where the paced log runs stalled"). So at boot the spawner is
 * named the checkpointer (server/exec/wal-checkpointer.ts: a worker thread of its own, every 250 ms),
 * and the server's connections made after that keep their own checkpoint only as a safety net, at
 * SAFETY_NET_PAGES, should that worker not run. Without one named (tests, scripts), SQLite's
 * default stands. Named here and started from there, so db/ does not depend on exec/.
 */
import { peekSingleton, setSingleton } from "@/server/singleton";

/** Pages (4 KiB each) of WAL at which a connection of the server checkpoints in its own commit. */
export const SAFETY_NET_PAGES = 10_000;

/** Starts checkpointing a database file elsewhere; false when it cannot (the connection then checkpoints as usual). */
export type WalCheckpointer = (file: string) => boolean;

const NAME = "wal-checkpointer";

/** Names who checkpoints the databases this process opens from now on (null: the connections themselves). */
export function checkpointElsewhere(checkpointer: WalCheckpointer | null): void {
  setSingleton(NAME, checkpointer ?? undefined);
}

/** For a connection being made: whether its database is checkpointed elsewhere (started now, if not yet). */
export function checkpointOffThread(file: string): boolean {
  return peekSingleton<WalCheckpointer>(NAME)?.(file) ?? false;
}

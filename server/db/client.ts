import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { config } from "@/server/config";
import { peekSingleton, processSingleton, setSingleton } from "@/server/singleton";
import { PrismaClient } from "./generated/client";
import { retryBusyAsync } from "./busy-retry";
import { gateOutsideTransactions } from "./transaction-gate";
import { closeLogConnection } from "./log-connection";
import { cachePreparedStatements } from "./statement-cache";
import { checkpointOffThread, SAFETY_NET_PAGES } from "./wal-checkpoint";
import { releaseWhenQuiet } from "@/server/idle-gc";

/**
 * One Prisma client per process (a process singleton: see singleton.ts).
 */

/** The adapter, with each distinct SQL text prepared once on its connection (statement-cache.ts). */
class CachingBetterSqlite3 extends PrismaBetterSqlite3 {
  constructor(
    private readonly databaseFile: string,
    options: ConstructorParameters<typeof PrismaBetterSqlite3>[0],
  ) {
    super(options);
  }

  override async connect() {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client?: Pick<BetterSqlite3.Database, "prepare" | "pragma"> }).client;
    // Another adapter version may keep its connection elsewhere: then it prepares as before.
    if (typeof connection?.prepare === "function") cachePreparedStatements(connection);
    // WAL with synchronous=NORMAL: a commit is not flushed to disk on its own (checkpoints are),
    // so no commit stops the event loop for an fsync. A crash of the server loses nothing; a power
    // loss or an OS crash may lose the last commits, never the database's consistency (SQLite's
    // documented guarantee for this mode).
    if (typeof connection?.pragma === "function") {
      connection.pragma("synchronous = NORMAL");
      // Once boot named a checkpointer (the spawner), checkpoints are made off this thread: this
      // connection checkpoints only past the safety net (wal-checkpoint.ts).
      if (checkpointOffThread(this.databaseFile)) connection.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      // A lock held by another process is waited for between turns of the event loop, not inside
      // SQLite (busy-retry.ts); the connection's own busy timeout then only gets in the way.
      if (retryBusyAsync(adapter, BUSY_WAIT_MS)) connection.pragma("busy_timeout = 0");
      // The pages its reads left in the cache go back once the server is quiet (idle-gc.ts).
      releaseWhenQuiet("prisma-connection", () => connection.pragma("shrink_memory"));
    }
    // Statements from outside wait while a transaction is open on the one connection (transaction-gate.ts).
    if (!gateOutsideTransactions(adapter)) console.warn("[db] this Prisma adapter version cannot be gated: statements may run inside another's open transaction");
    return adapter;
  }
}

/** How long a statement waits for another process's write lock before the request gets a 503. */
const BUSY_WAIT_MS = 10_000;

export function createPrismaClient(databaseFile: string): PrismaClient {
  // One connection for the whole process: SQLite has one writer at a time anyway, and a single
  // connection cannot hit "database is locked" against itself. `timeout` is the busy timeout for
  // other processes (a CLI, a second server) touching the same file, used only if the adapter
  // could not be made to wait asynchronously (busy-retry.ts).
  const adapter = new CachingBetterSqlite3(databaseFile, { url: `file:${databaseFile}`, timeout: BUSY_WAIT_MS });
  return new PrismaClient({ adapter });
}

export function db(): PrismaClient {
  return processSingleton("prisma", () => createPrismaClient(config().databaseFile));
}

/** Closes and forgets the process's client (tests, shutdown). */
export async function disconnectDb(): Promise<void> {
  const client = peekSingleton<PrismaClient>("prisma");
  setSingleton("prisma", undefined);
  closeLogConnection();
  // The server id (runs/session.ts) is read from the database: another database, another id.
  setSingleton("server-id", undefined);
  await client?.$disconnect();
}

export type { PrismaClient };

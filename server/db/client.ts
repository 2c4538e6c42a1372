import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { config } from "@/server/config";
import { peekSingleton, processSingleton, setSingleton } from "@/server/singleton";
import { PrismaClient } from "./generated/client";
import { closeLogConnection } from "./log-connection";

/**
 * One Prisma client per process (a process singleton: see singleton.ts).
 */

export function createPrismaClient(databaseFile: string): PrismaClient {
  // One connection for the whole process: SQLite has one writer at a time anyway, and a single
  // connection cannot hit "database is locked" against itself. `timeout` is the busy timeout
  // for other processes (a CLI, a second server) touching the same file.
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 10_000 });
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

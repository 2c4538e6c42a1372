import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { config } from "@/server/config";
import { PrismaClient } from "./generated/client";

/**
 * One Prisma client per process. Next compiles route handlers and instrumentation into separate
 * bundles, each with its own module state, so the client lives on globalThis.
 */
const KEY = Symbol.for("ai-slave.prisma");
type GlobalWithPrisma = typeof globalThis & { [KEY]?: PrismaClient };

export function createPrismaClient(databaseFile: string): PrismaClient {
  // One connection for the whole process: SQLite has one writer at a time anyway, and a single
  // connection cannot hit "database is locked" against itself. `timeout` is the busy timeout
  // for other processes (a CLI, a second server) touching the same file.
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 10_000 });
  return new PrismaClient({ adapter });
}

export function db(): PrismaClient {
  const scope = globalThis as GlobalWithPrisma;
  scope[KEY] ??= createPrismaClient(config().databaseFile);
  return scope[KEY];
}

/** Closes and forgets the process's client (tests, shutdown). */
export async function disconnectDb(): Promise<void> {
  const scope = globalThis as GlobalWithPrisma;
  const client = scope[KEY];
  scope[KEY] = undefined;
  await client?.$disconnect();
}

export type { PrismaClient };

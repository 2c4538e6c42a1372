/**
 * Waiting for another process's write lock without stopping the server.
 *
 * better-sqlite3's busy timeout sleeps inside SQLite, on the main thread: while a backup tool, a
 * second server or an sqlite3 shell held the write lock, the whole server stood still for up to
 * the 10 s timeout, reads and SSE included. Instead the connection's own busy timeout is 0, and a
 * statement SQLite refuses with SQLITE_BUSY is tried again after an async wait (5 ms, doubling to
 * 100 ms) until the deadline; then the error goes on as before (503 `unavailable:database_busy`).
 *
 * SQLITE_BUSY_SNAPSHOT is not retried: a transaction whose snapshot another writer has overtaken
 * cannot go on, and waiting would not change that.
 *
 * The adapter's statements go through two methods of its queryable objects (the connection and
 * each transaction): `performIO` and `executeIO`, which run the statement synchronously and throw
 * the driver error converted by `onError`. Those three are wrapped on each object; the driver's
 * own code (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`) is kept on the converted error to decide.
 */

const DRIVER_CODE = Symbol("sqlite driver code");

interface Queryable {
  performIO(query: unknown): Promise<unknown>;
  executeIO(query: unknown): Promise<unknown>;
  onError(error: unknown): never;
}

interface Adapter extends Queryable {
  startTransaction(...args: unknown[]): Promise<Queryable>;
}

/** The SQLite code of the driver error behind an adapter error, if it kept one. */
function driverCodeOf(error: unknown): string | undefined {
  return error && typeof error === "object" ? ((error as Record<symbol, unknown>)[DRIVER_CODE] as string | undefined) : undefined;
}

function retriable(error: unknown): boolean {
  const code = driverCodeOf(error);
  return code !== undefined && code.startsWith("SQLITE_BUSY") && code !== "SQLITE_BUSY_SNAPSHOT";
}

function wrapQueryable(target: Queryable, waitMs: number): void {
  const onError = target.onError.bind(target);
  target.onError = (error: unknown): never => {
    try {
      return onError(error);
    } catch (converted) {
      if (converted && typeof converted === "object") (converted as Record<symbol, unknown>)[DRIVER_CODE] = (error as { code?: unknown })?.code;
      throw converted;
    }
  };
  for (const name of ["performIO", "executeIO"] as const) {
    const io = target[name].bind(target);
    target[name] = async (query: unknown) => {
      const deadline = Date.now() + waitMs;
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await io(query);
        } catch (error) {
          const left = deadline - Date.now();
          if (!retriable(error) || left <= 0) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 100, left)));
        }
      }
    };
  }
}

/**
 * Makes the adapter's connection, and every transaction it starts, wait for a busy database
 * asynchronously for up to `waitMs`. Returns false (and changes nothing) when the adapter does not
 * have the methods this relies on: another adapter version then waits as before.
 */
export function retryBusyAsync(adapter: object, waitMs: number): boolean {
  const candidate = adapter as Partial<Adapter>;
  const usable = (value: Partial<Queryable>) => ["performIO", "executeIO", "onError"].every((name) => typeof value[name as keyof Queryable] === "function");
  if (!usable(candidate) || typeof candidate.startTransaction !== "function") return false;
  const full = candidate as Adapter;
  wrapQueryable(full, waitMs);
  const start = full.startTransaction.bind(full);
  full.startTransaction = async (...args: unknown[]) => {
    const transaction = await start(...args);
    if (usable(transaction)) wrapQueryable(transaction, waitMs);
    return transaction;
  };
  return true;
}

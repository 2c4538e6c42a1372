import { AppError } from "@/lib/errors";

/** Every message and code along an error's cause chain (Prisma wraps the driver's error). */
function describe(error: unknown, depth = 0): string {
  if (!error || typeof error !== "object" || depth > 5) return String(error ?? "");
  const { message, code, cause } = error as { message?: unknown; code?: unknown; cause?: unknown };
  return [message, code, describe(cause, depth + 1)].filter(Boolean).map(String).join(" | ");
}

const BUSY = /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked/i;
const FULL = /SQLITE_FULL|database or disk is full|ENOSPC|no space left on device/i;

/**
 * The storage failures a user can act on, as clear errors instead of a 500: the database locked
 * by another process past the busy timeout (503), the data folder's disk full (507). The write
 * that met them was a statement or a transaction of its own, so nothing of it was kept.
 */
export function storageError(error: unknown): AppError | null {
  const text = describe(error);
  if (BUSY.test(text)) {
    return new AppError("unavailable:database_busy", "The database is locked by another process (a backup, a second server, an sqlite3 shell); nothing was changed. Try again in a moment.");
  }
  if (FULL.test(text)) {
    return new AppError("insufficient_storage:disk_full", "The disk that holds the server's data is full; nothing was changed. Free some space and try again.");
  }
  return null;
}

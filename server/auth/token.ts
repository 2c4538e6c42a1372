/**
 * The access token: one secret that guards every request. It comes from AI_SLAVE_TOKEN or from
 * `<data folder>/token` (mode 0600, created on first start). `npm run token -- --rotate` writes a
 * new file; a running server notices on its next request (or within a second) and ends every
 * session and open stream made with the old one. Imports nothing server-only: server.ts,
 * scripts and route handlers all load it.
 */
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const TOKEN_FILE_NAME = "token";

export function tokenFileFor(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), TOKEN_FILE_NAME);
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Writes a token file atomically with mode 0600 (the folder is created 0700 when missing). */
export function writeTokenFile(file: string, token: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

export function readTokenFile(file: string): string | null {
  try {
    const token = fs.readFileSync(file, "utf8").trim();
    return token.length > 0 ? token : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The stored token, created when there is none. */
export function ensureTokenFile(file: string): string {
  const existing = readTokenFile(file);
  if (existing) {
    // A token file others can read is no secret: tighten it rather than trust it silently.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return existing;
  }
  const token = newToken();
  writeTokenFile(file, token);
  return token;
}

/** Constant-time comparison of two secrets of any length (hashing first equalizes the lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export interface TokenSource {
  /** The token now, or null when authentication is off. */
  current(): string | null;
  /** Runs `listener` after the token changed (a rotation). */
  onRotate(listener: () => void): void;
  readonly fromEnv: boolean;
  readonly file: string;
}

/**
 * AI_SLAVE_TOKEN when set, else the file, re-read when its mtime changes. A rotation seen by
 * `current()` notifies the listeners once.
 */
export function createTokenSource(options: { envToken?: string; file: string; authOff?: boolean }): TokenSource {
  const listeners: (() => void)[] = [];
  const fromEnv = Boolean(options.envToken);
  let token: string | null = options.authOff ? null : fromEnv ? options.envToken! : ensureTokenFile(options.file);
  const initial = fromEnv || options.authOff ? null : fs.statSync(options.file);
  let seen = `${initial?.ino}:${initial?.mtimeMs}`;
  return {
    fromEnv,
    file: options.file,
    current() {
      if (options.authOff || fromEnv) return token;
      let stat: fs.Stats;
      try {
        stat = fs.statSync(options.file);
      } catch {
        return token;
      }
      if (`${stat.ino}:${stat.mtimeMs}` === seen) return token;
      seen = `${stat.ino}:${stat.mtimeMs}`;
      const next = readTokenFile(options.file);
      if (next && next !== token) {
        token = next;
        for (const listener of listeners) listener();
      }
      return token;
    },
    onRotate(listener) {
      listeners.push(listener);
    },
  };
}

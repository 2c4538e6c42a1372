import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export interface TestDb {
  dir: string;
  file: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh, migrated SQLite file for one test file. Call before any server module touches the
 * database: it points DATABASE_URL at the new file and drops cached config and clients.
 */
export async function useTestDatabase(): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-test-"));
  const file = path.join(dir, "db.sqlite");
  process.env.DATABASE_URL = `file:${file}`;
  process.env.AI_SLAVE_ROOT = PROJECT_ROOT;
  process.env.AI_SLAVE_TASKS_DIR = path.join(dir, "tasks");
  // Local agents run in tmux: this file's own tmux server, stopped at cleanup with what runs in it.
  process.env.TMUX_TMPDIR = dir;
  const { resetConfigForTests } = await import("@/server/config");
  const { disconnectDb } = await import("@/server/db/client");
  const { migrateDatabase } = await import("@/server/db/migrate");
  const { resetServicesForTests } = await import("@/server/services");
  resetConfigForTests();
  await disconnectDb();
  resetServicesForTests();
  migrateDatabase(file, path.join(PROJECT_ROOT, "prisma", "migrations"));
  return {
    dir,
    file,
    async cleanup() {
      await disconnectDb();
      try {
        execFileSync("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: dir }, stdio: "ignore" });
      } catch {
        // No tmux server was started.
      }
      // The run scripts tmux just hung up on, and a start that had its turn as the engine stopped,
      // may still write into the folder while it goes: rmSync tries again (ENOTEMPTY), waiting
      // 0.1 s longer each time, up to about 32 s in all (5 tries, 1.5 s, and 15 tries, 12 s, each
      // fell short once in CI). Should it still fail, the error says what was left and who writes.
      try {
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 25, retryDelay: 100 });
      } catch (error) {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${leftBehind(dir)}`, { cause: error });
      }
    },
  };
}

/** What a folder that could not be removed still holds (its newest entries first) and the processes using it. */
export function leftBehind(dir: string): string {
  const entries: { name: string; ageMs: number }[] = [];
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, name.name);
      try {
        entries.push({ name: path.relative(dir, full) + (name.isDirectory() ? "/" : ""), ageMs: Date.now() - fs.lstatSync(full).mtimeMs });
        if (name.isDirectory()) walk(full);
      } catch {
        // Removed meanwhile.
      }
    }
  };
  try {
    walk(dir);
  } catch {
    // The folder itself is gone or unreadable.
  }
  const users: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const links = [fs.readlinkSync(`/proc/${pid}/cwd`), ...fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      })];
      if (links.some((link) => link === dir || link.startsWith(`${dir}/`))) users.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
    } catch {
      // Gone, or not ours to read.
    }
  }
  entries.sort((a, b) => a.ageMs - b.ageMs);
  const list = entries.slice(0, 40).map((entry) => `  ${entry.name} (changed ${Math.round(entry.ageMs)} ms ago)`);
  return [`left in ${dir} (${entries.length} entries, newest first):`, ...list, `processes using it: ${users.length === 0 ? "none" : ""}`, ...users.map((user) => `  ${user}`)].join("\n");
}

/** A git repository with one commit on `main`, in a temp dir. */
export function makeGitRepo(parent: string, name = "repo"): string {
  const repo = path.join(parent, name);
  fs.mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Test");
  git("config", "user.email", "test@example.com");
  fs.writeFileSync(path.join(repo, "README.md"), "# test repo\n");
  git("add", ".");
  git("commit", "-q", "-m", "initial");
  return repo;
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString().trim();
}

/** Calls a route handler the way Next does. */
export function routeContext(params: Record<string, string> = {}) {
  return { params: Promise.resolve(params) };
}

export function jsonRequest(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1:3000${url}`, {
    method,
    headers: { "content-type": "application/json", host: "127.0.0.1:3000", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

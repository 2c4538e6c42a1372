import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { Transport } from "@/server/exec/transport";

const IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"];

/**
 * Gives the test file a temp dir and a git without the machine's global or system config, so
 * results do not depend on who runs them (no user.name either: commitAll must cope).
 */
export function useGitSandbox(): { dir: () => string } {
  let root = "";
  const saved = { global: process.env.GIT_CONFIG_GLOBAL, nosystem: process.env.GIT_CONFIG_NOSYSTEM };
  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "ai-slave-git-")));
    writeFileSync(join(root, "gitconfig"), "");
    process.env.GIT_CONFIG_GLOBAL = join(root, "gitconfig");
    process.env.GIT_CONFIG_NOSYSTEM = "1";
  });
  afterAll(() => {
    restoreEnv("GIT_CONFIG_GLOBAL", saved.global);
    restoreEnv("GIT_CONFIG_NOSYSTEM", saved.nosystem);
    rmSync(root, { recursive: true, force: true });
  });
  return { dir: () => mkdtempSync(join(root, "t-")) };
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

/** Runs git directly (not through the code under test) with a test identity. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", [...IDENTITY, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function write(dir: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), "utf8");
}

/** A repository on main with one commit holding `files`. */
export function makeRepo(parent: string, files: Record<string, string | Buffer> = { "README.md": "hello\n" }): string {
  const repo = join(parent, "repo");
  mkdirSync(repo);
  git(repo, "init", "--quiet", "--initial-branch=main");
  for (const [path, content] of Object.entries(files)) write(repo, path, content);
  git(repo, "add", "--all");
  git(repo, "commit", "--quiet", "-m", "initial");
  return repo;
}

/** Writes files and commits them directly with git. Returns the new sha. */
export function commitFiles(cwd: string, files: Record<string, string | Buffer>, message = "change"): string {
  for (const [path, content] of Object.entries(files)) write(cwd, path, content);
  git(cwd, "add", "--all");
  git(cwd, "commit", "--quiet", "-m", message);
  return git(cwd, "rev-parse", "HEAD").trim();
}

/** Everything a user could see of a checkout: HEAD, index, status, file contents, merge state. */
export function snapshot(repo: string): Record<string, unknown> {
  const gitDir = git(repo, "rev-parse", "--absolute-git-dir").trim();
  return {
    head: git(repo, "rev-parse", "HEAD").trim(),
    branch: git(repo, "symbolic-ref", "-q", "HEAD").trim(),
    index: git(repo, "ls-files", "--stage"),
    status: git(repo, "status", "--porcelain=v1", "--untracked-files=all", "--ignored"),
    files: hashTree(repo),
    mergeState: ["MERGE_HEAD", "MERGE_MSG", "MERGE_MODE"].filter((name) => existsSync(join(gitDir, name))),
  };
}

function hashTree(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === ".git") continue;
    if (entry.isDirectory()) hashTree(root, path, out);
    else out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

/**
 * The transport, counting round trips as an SSH host would pay them: commands sent while another
 * is in flight share its trip; one sent when none is, starts a new one.
 */
export function tripCounting(inner: Transport): { transport: Transport; trips: () => number; commands: () => number } {
  let inFlight = 0;
  let trips = 0;
  let commands = 0;
  const transport = new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== "exec") return Reflect.get(target, key, receiver);
      return async (argv: string[], options: Parameters<Transport["exec"]>[1]) => {
        if (inFlight === 0) trips += 1;
        inFlight += 1;
        commands += 1;
        try {
          return await target.exec(argv, options);
        } finally {
          inFlight -= 1;
        }
      };
    },
  });
  return { transport, trips: () => trips, commands: () => commands };
}

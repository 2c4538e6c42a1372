/**
 * How the test and bench fixtures start the production server, the way scripts/start.sh does:
 * server.ts bundled by scripts/bundle-server.mjs (made again on first use in each process, so it
 * is never older than the sources), run by plain `node` over the `next build` output.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

let bundled: string | null = null;

/**
 * glibc's allocator settings the server runs with (scripts/start.sh and `npm start` set the same;
 * a value already in the environment wins): one arena instead of one per thread that ever
 * allocated, and freed memory returned to the system past 1 MB instead of 128 KB-and-only-at-the-top.
 * Measured side by side: RSS after start 192-198 MB against 210-229 MB without (bench/README.md,
 * "Cold start and idle memory").
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "1", MALLOC_TRIM_THRESHOLD_: "1048576" };

/**
 * V8's flags for the server (scripts/start.sh and `npm start` pass the same): semi-spaces of 4 MB
 * (8 MB of young generation) instead of up to 16 MB. V8 grows the young generation to 32 MB under
 * the first bursts of allocation (Next's start, a dispatch wave) and never gives it back. Measured
 * with the idle collection's compaction (server/idle-gc.ts), 100 tasks: RSS 1.06 times the RSS at
 * start against 1.14-1.15 without the flag; the one-run log pipeline about 10% slower (bench/README.md,
 * "Memory after a working day").
 */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/**
 * Node's arguments for the production server in `root`: its flags, then `extraFlags` (so that a
 * flag given again there overrides the server's), and the fresh bundle of server.ts.
 */
export function productionServerArgs(root: string, extraFlags: readonly string[] = []): string[] {
  if (!bundled) {
    execFileSync(process.execPath, [path.join(root, "scripts", "bundle-server.mjs")], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    bundled = path.join(root, ".next", "ai-slave-server.mjs");
  }
  return [...NODE_FLAGS, ...extraFlags, bundled];
}

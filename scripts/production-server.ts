/**
 * How the test and bench fixtures start the production server, the way scripts/start.sh does:
 * server.ts bundled by scripts/bundle-server.mjs (made again on first use in each process, so it
 * is never older than the sources), run by plain `node` over the `next build` output.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

let bundled: string | null = null;

/** Node's arguments for the production server in `root`: the fresh bundle of server.ts. */
export function productionServerArgs(root: string): string[] {
  if (!bundled) {
    execFileSync(process.execPath, [path.join(root, "scripts", "bundle-server.mjs")], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    bundled = path.join(root, ".next", "ai-slave-server.mjs");
  }
  return [bundled];
}

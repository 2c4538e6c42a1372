/**
 * The production server is started three ways (scripts/start.sh, `npm start`, and the fixtures
 * through scripts/production-server.ts): each with the same allocator settings and node flags, so
 * what the tests and benchmarks measure is what a user runs.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MALLOC_ENV, NODE_FLAGS } from "../../../scripts/production-server";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("the production launchers", () => {
  const startSh = fs.readFileSync(path.join(ROOT, "scripts", "start.sh"), "utf8");
  const npmStart = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start!;

  it.each(Object.entries(MALLOC_ENV))("set %s=%s by default, and let the environment override it", (name, value) => {
    expect(startSh).toContain(`${name}="\${${name}:-${value}}"`);
    expect(npmStart).toContain(`${name}=\${${name}:-${value}}`);
  });

  it("run the same bundle with the same node flags", () => {
    const command = `node ${NODE_FLAGS.join(" ")} .next/ai-slave-server.mjs`;
    expect(startSh.trimEnd().endsWith(command)).toBe(true);
    expect(npmStart.endsWith(command)).toBe(true);
  });
});

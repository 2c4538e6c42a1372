/**
 * The shape of server/: no import cycles between its folders, and one owner of Task.status.
 * Reads the sources as text (imports are static), so it fails as soon as a change breaks either rule.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const SERVER = path.join(ROOT, "server");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The server/ folder a file belongs to ("" for files directly in server/). */
function folderOf(file: string): string {
  const relative = path.relative(SERVER, file).split(path.sep);
  return relative.length > 1 ? relative[0]! : "";
}

function importedFolders(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const folders: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
    const spec = match[1]!;
    let target: string | null = null;
    if (spec.startsWith("@/server/")) target = path.join(ROOT, spec.slice(2));
    else if (spec.startsWith(".")) target = path.resolve(path.dirname(file), spec);
    if (!target || !target.startsWith(SERVER + path.sep)) continue;
    const folder = folderOf(`${target}.ts`);
    if (folder) folders.push(folder);
  }
  return folders;
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SERVER)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const to of importedFolders(file)) {
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Every cycle's folders, found by depth-first search. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, trail: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = trail.indexOf(next);
      if (at !== -1) found.push([...trail.slice(at), next]);
      else visit(next, [...trail, next]);
    }
  };
  for (const start of graph.keys()) visit(start, [start]);
  return found;
}

describe("server/ layering", () => {
  it("has no import cycle between its folders", () => {
    expect(cycles(folderGraph()).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("the cycle finder does find a cycle", () => {
    expect(cycles(new Map([["a", new Set(["b"])], ["b", new Set(["a"])]])).length).toBeGreaterThan(0);
  });

  it("writes Task.status only in the task state machine", () => {
    const owner = path.join(SERVER, "lifecycle", "task-state.ts");
    const writers = sources(SERVER).filter((file) => {
      if (file === owner) return false;
      const text = fs.readFileSync(file, "utf8");
      // A Prisma write on task with a status in its data, or raw SQL setting the column.
      return /task\.(update|updateMany|upsert|create)\([^;]*data:\s*\{[^}]*\bstatus\b/s.test(text) || /UPDATE\s+"Task"\s+SET[^;]*"status"/.test(text);
    });
    expect(writers.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});

import type { DiffFile, DiffFileStatus } from "@/lib/schemas/git";
import { splitNul } from "./run-git";

interface LineCounts {
  additions: number | null;
  deletions: number | null;
}

const STATUS_BY_LETTER: Record<string, DiffFileStatus> = {
  A: "added",
  C: "added",
  D: "deleted",
  M: "modified",
  T: "modified",
  R: "renamed",
};

/** Parses `git diff --name-status -z`; a rename (R100) or copy is followed by two paths. */
export function parseNameStatus(output: string): Omit<DiffFile, "additions" | "deletions">[] {
  const fields = splitNul(output);
  const files: Omit<DiffFile, "additions" | "deletions">[] = [];
  for (let i = 0; i < fields.length; ) {
    const letter = fields[i][0];
    const status = STATUS_BY_LETTER[letter] ?? "modified";
    if (letter === "R" || letter === "C") {
      files.push({ path: fields[i + 2], status, oldPath: fields[i + 1] });
      i += 3;
    } else {
      files.push({ path: fields[i + 1], status });
      i += 2;
    }
  }
  return files;
}

/**
 * Parses `git diff --numstat -z` into counts by (new) path. A binary file shows "-" counts;
 * a rename has an empty path field followed by the old and new paths.
 */
export function parseNumstat(output: string): Map<string, LineCounts> {
  const fields = splitNul(output);
  const counts = new Map<string, LineCounts>();
  for (let i = 0; i < fields.length; i++) {
    const [added, deleted, ...pathParts] = fields[i].split("\t");
    let path = pathParts.join("\t");
    if (path === "") {
      path = fields[i + 2];
      i += 2;
    }
    counts.set(path, { additions: toCount(added), deletions: toCount(deleted) });
  }
  return counts;
}

function toCount(value: string): number | null {
  return value === "-" ? null : Number(value);
}

/** Splits a unified git patch into files and numbered lines, for display. Pure. */

export type DiffLineKind = "add" | "del" | "context" | "hunk" | "meta";

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  oldNumber?: number;
  newNumber?: number;
}

export interface PatchFile {
  /** The new path (the old one for a deletion). */
  path: string;
  lines: DiffLine[];
  binary: boolean;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

function pathOf(header: string, section: string[]): string {
  const plus = section.find((line) => line.startsWith("+++ "));
  if (plus && plus !== "+++ /dev/null") return plus.slice(4).replace(/^b\//, "");
  const minus = section.find((line) => line.startsWith("--- "));
  if (minus && minus !== "--- /dev/null") return minus.slice(4).replace(/^a\//, "");
  const rename = section.find((line) => line.startsWith("rename to "));
  if (rename) return rename.slice("rename to ".length);
  const match = / b\/(.+)$/.exec(header);
  return match ? match[1]! : header;
}

function numberLines(section: string[]): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const text of section) {
    const hunk = HUNK.exec(text);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      inHunk = true;
      lines.push({ kind: "hunk", text });
    } else if (!inHunk || text === "") {
      // Outside hunks: headers. An empty string is the split's tail, not a line (context starts with a space).
      continue;
    } else if (text.startsWith("+")) {
      lines.push({ kind: "add", text: text.slice(1), newNumber: newLine++ });
    } else if (text.startsWith("-")) {
      lines.push({ kind: "del", text: text.slice(1), oldNumber: oldLine++ });
    } else if (text.startsWith("\\")) {
      lines.push({ kind: "meta", text });
    } else {
      lines.push({ kind: "context", text: text.slice(1), oldNumber: oldLine++, newNumber: newLine++ });
    }
  }
  return lines;
}

export function parsePatch(patch: string): PatchFile[] {
  const files: PatchFile[] = [];
  const all = patch.split("\n");
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const section = all.slice(start + 1, end);
    files.push({
      path: pathOf(all[start]!, section),
      lines: numberLines(section),
      binary: section.some((line) => line.startsWith("Binary files ") || line === "GIT binary patch"),
    });
  };
  all.forEach((line, index) => {
    if (line.startsWith("diff --git ")) {
      flush(index);
      start = index;
    }
  });
  flush(all.length);
  return files;
}

/**
 * Where commented lines are now. A comment keeps the text of its lines (its anchor); when the
 * file changed, the lines are looked for by that text, nearest to where they were, so a comment
 * follows code that moved and is marked outdated when its code is gone.
 */

export interface LinePosition {
  startLine: number | null;
  endLine: number | null;
  outdated: boolean;
}

/** The anchor of lines start..end (1-based, inclusive) of a file; null when the range is not in it. */
export function anchorOf(fileText: string, startLine: number, endLine: number): string | null {
  const lines = splitLines(fileText);
  if (startLine < 1 || endLine < startLine || endLine > lines.length) return null;
  return lines.slice(startLine - 1, endLine).join("\n");
}

/** Where `anchor` (stored at `startLine`) is in `fileText` now; null file text: the file is gone. */
export function locateAnchor(anchor: string, startLine: number, fileText: string | null): LinePosition {
  if (fileText === null) return { startLine: null, endLine: null, outdated: true };
  const lines = splitLines(fileText);
  const wanted = anchor.split("\n");
  const matchesAt = (index: number) => wanted.every((line, offset) => lines[index + offset] === line);
  let best: number | null = null;
  for (let index = 0; index + wanted.length <= lines.length; index += 1) {
    if (!matchesAt(index)) continue;
    if (best === null || Math.abs(index + 1 - startLine) < Math.abs(best + 1 - startLine)) best = index;
  }
  if (best === null) return { startLine: null, endLine: null, outdated: true };
  return { startLine: best + 1, endLine: best + wanted.length, outdated: false };
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

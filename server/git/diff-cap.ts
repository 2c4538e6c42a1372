/**
 * The 20 MB cap on a branch's patch. A patch over it is cut at the last line that fits; the file
 * cut in the middle gets a marker line where its patch stops, the files after it are left out,
 * and a last marker says so in total. Marker lines start with `\`, like git's own
 * "\ No newline at end of file", so a unified-diff reader shows them rather than parse them.
 */
const EXEC_CUT_MARKER = /\n\[output cut at \d+ bytes: \d+ more bytes not kept\]\n$/;

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;
}

export const MAX_PATCH_BYTES = 20 * 1024 * 1024;

export interface CappedPatch {
  patch: string;
  truncated: boolean;
  /** New-side paths (b/...) whose whole patch is in `patch`; when truncated, every other file was cut or left out. */
  completePaths: Set<string>;
}

const FILE_HEADER = /^diff --git a\/(.*) b\/(.*)$/;

function headerPath(line: string): string | null {
  const match = FILE_HEADER.exec(line);
  return match ? match[2]! : null;
}

export function capPatch(raw: string, maxBytes = MAX_PATCH_BYTES): CappedPatch {
  // exec cut the output with its own marker past maxBytes + 1: drop it, the markers below say it better.
  const body = raw.replace(EXEC_CUT_MARKER, "");
  const lines = body.split("\n");
  if (Buffer.byteLength(body, "utf8") <= maxBytes) {
    return { patch: body, truncated: false, completePaths: new Set(lines.map(headerPath).filter((path): path is string => path !== null)) };
  }
  const limit = sizeText(maxBytes);
  const kept: string[] = [];
  const completePaths = new Set<string>();
  let size = 0;
  let current: string | null = null;
  let index = 0;
  for (; index < lines.length; index += 1) {
    const line = lines[index]!;
    const bytes = Buffer.byteLength(line, "utf8") + 1;
    if (size + bytes > maxBytes) break;
    const path = headerPath(line);
    if (path !== null) {
      if (current !== null) completePaths.add(current);
      current = path;
    }
    kept.push(line);
    size += bytes;
  }
  if (current !== null && headerPath(lines[index] ?? "") !== null) completePaths.add(current);
  else if (current !== null) {
    kept.push(`\\ AI-Slave: the diff of ${current} was cut here: the whole patch is over ${limit}`);
  }
  kept.push(`\\ AI-Slave: the patch is over ${limit} and was cut; the files marked truncated are cut or left out. Use git diff in the worktree for the rest.`);
  return { patch: `${kept.join("\n")}\n`, truncated: true, completePaths };
}

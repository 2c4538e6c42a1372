import { StringDecoder } from "node:string_decoder";

/** The longest line kept; the rest of a longer one is dropped and a marker says how much. */
export const MAX_LINE_BYTES = 1024 * 1024;

export function lineCutMarker(droppedBytes: number): string {
  return ` [line cut at 1 MB: ${droppedBytes} more bytes not kept]`;
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, cut at a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString("utf8");
}

/**
 * Turns a byte stream into lines. A line may be up to a megabyte: its pieces are kept in a list
 * and joined once, so a long line costs O(n), not O(n^2); past MAX_LINE_BYTES the rest of the
 * line is counted, not kept, and the line ends with a marker. UTF-8 characters split across
 * chunks are decoded whole. "\r\n" ends a line like "\n"; a lone "\r" (progress bars) stays in
 * the line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending: string[] = [];
  private pendingBytes = 0;
  private droppedBytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf("\n", start);
    while (newline !== -1) {
      // A whole line in this chunk, surely under the cap (a UTF-16 unit is at most 3 bytes of
      // UTF-8): handed on as it is, without counting its bytes or a list of pieces.
      if (this.pending.length === 0 && (newline - start) * 3 <= this.maxLineBytes) this.emit(text.slice(start, newline));
      else {
        this.append(text.slice(start, newline));
        this.emitPending();
      }
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (start < text.length) this.append(text.slice(start));
  }

  private append(piece: string): void {
    if (this.droppedBytes > 0) {
      this.droppedBytes += Buffer.byteLength(piece, "utf8");
      return;
    }
    const bytes = Buffer.byteLength(piece, "utf8");
    if (this.pendingBytes + bytes <= this.maxLineBytes) {
      this.pending.push(piece);
      this.pendingBytes += bytes;
      return;
    }
    const kept = utf8Prefix(piece, this.maxLineBytes - this.pendingBytes);
    this.pending.push(kept);
    this.droppedBytes = bytes - Buffer.byteLength(kept, "utf8");
    this.pendingBytes = this.maxLineBytes;
  }

  /** Flushes the decoder and delivers a last line that had no trailing newline. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.push(rest);
    if (this.pending.length > 0) this.emitPending();
  }

  private emitPending(): void {
    const line = this.pending.length === 1 ? this.pending[0]! : this.pending.join("");
    const dropped = this.droppedBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.droppedBytes = 0;
    if (dropped > 0) this.onLine(`${line}${lineCutMarker(dropped)}`);
    else this.emit(line);
  }

  private emit(line: string): void {
    this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}

/** Splits a whole text into lines the way LineSplitter does for a stream. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push(text);
  splitter.end();
  return lines;
}

/** A throwing line handler must not become an uncaught exception in a stream callback. */
export function guardLineHandler(onLine: (line: string) => void): (line: string) => void {
  return (line) => {
    try {
      onLine(line);
    } catch (error) {
      console.error("exec: line handler threw", error);
    }
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { StringDecoder } from "node:string_decoder";

/**
 * Turns a byte stream into lines of any length. A line may be megabytes: its pieces are kept
 * in a list and joined once, so a long line costs O(n), not O(n^2). UTF-8 characters split
 * across chunks are decoded whole. "\r\n" ends a line like "\n"; a lone "\r" (progress bars)
 * stays in the line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf("\n", start);
    while (newline !== -1) {
      this.pending.push(text.slice(start, newline));
      this.emitPending();
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  /** Flushes the decoder and delivers a last line that had no trailing newline. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.push(rest);
    if (this.pending.length > 0) this.emitPending();
  }

  private emitPending(): void {
    const line = this.pending.length === 1 ? this.pending[0] : this.pending.join("");
    this.pending = [];
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

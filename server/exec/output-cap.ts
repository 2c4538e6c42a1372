/**
 * Collects a command's output up to a byte cap: past it the bytes are counted, not kept, and the
 * text ends with a marker. A command that prints gigabytes cannot grow the server's memory.
 */

/** What exec keeps of each of stdout and stderr unless the caller asks for another cap. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export function outputCutMarker(droppedBytes: number, capBytes: number): string {
  return `\n[output cut at ${capBytes} bytes: ${droppedBytes} more bytes not kept]\n`;
}

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly capBytes = DEFAULT_MAX_OUTPUT_BYTES) {}

  push(chunk: Buffer): void {
    const room = this.capBytes - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept = this.capBytes;
    this.dropped += chunk.length - Math.max(room, 0);
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** The kept output as UTF-8 (a character cut at the cap becomes U+FFFD), then the marker if cut. */
  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.dropped > 0 ? `${text}${outputCutMarker(this.dropped, this.capBytes)}` : text;
  }
}

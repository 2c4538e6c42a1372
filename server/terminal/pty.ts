/** A terminal on some machine: bytes in and out, a size, an end. */
export interface TerminalPty {
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: (code: number | null) => void): void;
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  /** Output stops until resume(), for a slow browser. */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

export const TERM = "xterm-256color";

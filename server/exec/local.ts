import { access } from "node:fs/promises";
import type { ExecOptions, ExecResult, SpawnedProcess, SpawnOptions, Transport } from "./transport";
import { execLocal } from "./local-exec";
import { spawnLocal } from "./local-spawn";

export interface LocalTransportOptions {
  /**
   * How long to keep reading output after the process exited, for a background child that
   * inherited its stdout; then the pipes are closed and the exit is reported.
   */
  drainMs?: number;
}

const DEFAULT_DRAIN_MS = 2_000;

/** Runs processes on this machine. */
export class LocalTransport implements Transport {
  readonly kind = "local" as const;
  private readonly drainMs: number;

  constructor(options: LocalTransportOptions = {}) {
    this.drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  }

  exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    return execLocal(argv, options, this.drainMs);
  }

  spawn(argv: string[], options: SpawnOptions): SpawnedProcess {
    return spawnLocal(argv, options, this.drainMs);
  }

  async pathExists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }
}

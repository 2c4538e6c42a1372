import { access } from "node:fs/promises";
import { config } from "@/server/config";
import { resolveCli } from "./resolve-cli";
import { reattach, replayLogs, spawnDetached, stopDetached, type DetachedProcess, type DetachedSpawnOptions, type LineHandlers, type LogOffsets, type ReattachOptions } from "./detached";
import { exportableEnv } from "./forward-env";
import { localScriptHost } from "./local-scripts";
import { execLocal } from "./local-exec";
import { sharedSpawner, type Spawner } from "./spawner";
import { openLocalPty } from "./local-pty";
import { spawnLocal } from "./local-spawn";
import type { CliLookup, HostKeyInfo, ExecOptions, ExecResult, SpawnedProcess, SpawnOptions, TerminalPty, TerminalSize, Transport } from "./transport";

export interface LocalTransportOptions {
  /**
   * How long to keep reading output after the process exited, for a background child that
   * inherited its stdout; then the pipes are closed and the exit is reported.
   */
  drainMs?: number;
  /** The shell new tmux sessions start (the workspace's login shell). */
  shell?: string;
  /** Where the project's own node_modules/.bin holds the agent CLIs. */
  projectRoot?: string;
  /** Who starts exec's commands: the process-wide spawner by default, null for this process. */
  spawner?: Spawner | null;
}

const DEFAULT_DRAIN_MS = 2_000;

/** Runs processes on this machine. */
export class LocalTransport implements Transport {
  readonly kind = "local" as const;
  private readonly drainMs: number;
  private readonly shell: string;
  private readonly projectRoot: string;
  private readonly spawner: Spawner | null | undefined;

  constructor(options: LocalTransportOptions = {}) {
    this.spawner = options.spawner;
    this.drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
    this.shell = options.shell ?? "/bin/sh";
    this.projectRoot = options.projectRoot ?? process.cwd();
  }

  exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    return execLocal(argv, options, this.drainMs, this.spawner === undefined ? sharedSpawner() : this.spawner);
  }

  spawn(argv: string[], options: SpawnOptions): SpawnedProcess {
    return spawnLocal(argv, options, this.drainMs);
  }

  /**
   * A workspace's setup and check scripts (builds, test suites) are work like the agent's: they run
   * AI_SLAVE_AGENT_NICE above the server, which starts them in process, so its own thread stays
   * first in line for the CPU.
   */
  userScriptArgv(script: string): string[] {
    const nice = config().agentNice;
    return [...(nice > 0 ? ["nice", "-n", String(nice)] : []), "env", "-u", "AI_SLAVE_TOKEN", this.shell, "-lc", script];
  }

  async pathExists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  spawnDetached(argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess> {
    return spawnDetached(localScriptHost, argv, options);
  }

  reattach(options: ReattachOptions): DetachedProcess {
    return reattach(localScriptHost, options);
  }

  stopDetached(logPath: string, graceMs: number): Promise<void> {
    return stopDetached(localScriptHost, logPath, graceMs);
  }

  replayLogs(logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void> {
    return replayLogs(localScriptHost, logPath, offsets, handlers);
  }

  /** The agent runs as a child of this machine's tmux: it gets the server's whole environment. */
  agentEnv(env: Record<string, string | undefined>): Record<string, string> {
    return exportableEnv(env);
  }

  /** The setting's path, the adapter's variable, the project's node_modules/.bin, then $PATH. */
  async locateCli(lookup: CliLookup): Promise<string | null> {
    return resolveCli(lookup, { configuredPath: lookup.serverPath, projectRoot: this.projectRoot, envPath: process.env.PATH ?? "" })?.path ?? null;
  }

  async hostKey(): Promise<HostKeyInfo | null> {
    return null;
  }

  async openPty(argv: string[], size: TerminalSize): Promise<TerminalPty> {
    return openLocalPty(argv, "/", size, this.shell);
  }
}

import type { LoginShell } from "@/lib/enums";
import {
  reattach,
  replayLogs,
  spawnDetached,
  type DetachedProcess,
  type DetachedSpawnOptions,
  type DetachedTransport,
  type LineHandlers,
  type LogOffsets,
  type ReattachOptions,
} from "./ssh-detached";
import { execRemote, spawnRemote, type RemoteContext } from "./ssh-exec";
import type { SshEndpoint, SshPool } from "./ssh-pool";
import type { ExecOptions, ExecResult, SpawnedProcess, SpawnOptions } from "./transport";

export interface SshTransportTarget {
  endpoint: SshEndpoint;
  shell: LoginShell;
  /** For `ssh_container` workspaces: every command runs in this container on the host. */
  container?: string | null;
}

/**
 * Runs processes on an SSH host, or in a container on it, through the account's login shell so
 * the user's PATH applies. Connections come from the process-wide pool.
 */
export class SshTransport implements DetachedTransport {
  readonly kind: "ssh" | "ssh_container";
  private readonly context: RemoteContext;

  constructor(pool: SshPool, target: SshTransportTarget) {
    this.kind = target.container ? "ssh_container" : "ssh";
    this.context = { pool, endpoint: target.endpoint, target: { shell: target.shell, container: target.container ?? null } };
  }

  exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    return execRemote(this.context, argv, options);
  }

  spawn(argv: string[], options: SpawnOptions): SpawnedProcess {
    return spawnRemote(this.context, argv, options);
  }

  async pathExists(path: string): Promise<boolean> {
    const result = await execRemote(this.context, ["test", "-e", path], { cwd: "/" });
    return result.exitCode === 0;
  }

  spawnDetached(argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess> {
    return spawnDetached(this.context, argv, options);
  }

  reattach(options: ReattachOptions): DetachedProcess {
    return reattach(this.context, options);
  }

  replayLogs(logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void> {
    return replayLogs(this.context, logPath, offsets, handlers);
  }

  /** The SSH endpoint and shell target, for the terminal and the health probe. */
  get remote(): RemoteContext {
    return this.context;
  }
}

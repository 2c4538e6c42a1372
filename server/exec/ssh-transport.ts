import type { LoginShell } from "@/lib/enums";
import { reattach, replayLogs, spawnDetached, stopDetached, type DetachedProcess, type DetachedSpawnOptions, type LineHandlers, type LogOffsets, type ReattachOptions, type ScriptHost } from "./detached";
import { forwardedEnv, type ForwardRules } from "./forward-env";
import { commandLineOf, execRemote, spawnRemote, type RemoteContext } from "./ssh-exec";
import type { SshEndpoint, SshPool } from "./ssh-pool";
import { openSshPty } from "./ssh-pty";
import { openRawStream } from "./ssh-stream";
import { pinnedHostKey } from "./ssh-host-key-store";
import type { CliLookup, HostKeyInfo, ExecOptions, ExecResult, SpawnedProcess, SpawnOptions, TerminalPty, TerminalSize, Transport } from "./transport";

export interface SshTransportTarget {
  endpoint: SshEndpoint;
  shell: LoginShell;
  /** For `ssh_container` workspaces: every command runs in this container on the host. */
  container?: string | null;
}

/**
 * Detached runs' scripts on the host (or in its container), through the login shell; the run
 * script in tmux takes the login environment its launch saved (runScript) instead of a second one.
 */
function sshScriptHost(context: RemoteContext): ScriptHost {
  return {
    exactEnv: false,
    runScriptArgv: (scriptPath) => ["sh", scriptPath],
    runScript: (script, args, options = {}) => execRemote(context, ["sh", "-c", script, ...args], { cwd: "/", stdin: options.stdin, timeoutMs: options.timeoutMs }),
    async streamScript(script, args, handlers) {
      const stream = await openRawStream(context.pool, context.endpoint, await commandLineOf(context, ["sh", "-c", script, ...args], { cwd: "/" }), {
        stripMarker: true,
        onStdout: handlers.onStdout,
        onStderr: handlers.onStderr,
      });
      return { exited: stream.exited, close: () => stream.channel.close() };
    },
  };
}

/**
 * Runs processes on an SSH host, or in a container on it, through the account's login shell so
 * the user's PATH applies. Connections come from the process-wide pool.
 */
export class SshTransport implements Transport {
  readonly kind: "ssh" | "ssh_container";
  private readonly context: RemoteContext;
  private readonly scripts: ScriptHost;

  constructor(pool: SshPool, target: SshTransportTarget) {
    this.kind = target.container ? "ssh_container" : "ssh";
    this.context = { pool, endpoint: target.endpoint, target: { shell: target.shell, container: target.container ?? null } };
    this.scripts = sshScriptHost(this.context);
  }

  exec(argv: string[], options: ExecOptions): Promise<ExecResult> {
    return execRemote(this.context, argv, options);
  }

  spawn(argv: string[], options: SpawnOptions): SpawnedProcess {
    return spawnRemote(this.context, argv, options);
  }

  /** Commands here already run in the account's login shell (or the container's). */
  userScriptArgv(script: string): string[] {
    return [this.context.target.shell, "-c", script];
  }

  async pathExists(path: string): Promise<boolean> {
    const result = await execRemote(this.context, ["test", "-e", path], { cwd: "/" });
    return result.exitCode === 0;
  }

  spawnDetached(argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess> {
    return spawnDetached(this.scripts, argv, options);
  }

  reattach(options: ReattachOptions): DetachedProcess {
    return reattach(this.scripts, options);
  }

  stopDetached(logPath: string, graceMs: number): Promise<void> {
    return stopDetached(this.scripts, logPath, graceMs);
  }

  replayLogs(logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void> {
    return replayLogs(this.scripts, logPath, offsets, handlers);
  }

  agentEnv(env: Record<string, string | undefined>, rules: ForwardRules): Record<string, string> {
    return forwardedEnv(env, rules);
  }

  /** The per-workspace setting, else the CLI's name on the host's login PATH. */
  async locateCli(lookup: CliLookup): Promise<string | null> {
    return lookup.hostPath ?? lookup.cliName;
  }

  async hostKey(): Promise<HostKeyInfo | null> {
    const { endpoint, pool } = this.context;
    const pinned = await pinnedHostKey(endpoint.host, endpoint.port);
    if (pinned) return { fingerprint: pinned.fingerprint, source: "pinned" };
    const seen = pool.hostKeyOf(endpoint);
    return seen?.ok ? { fingerprint: seen.fingerprint, source: seen.source === "known_hosts" ? "known_hosts" : "pinned" } : null;
  }

  openPty(argv: string[], size: TerminalSize): Promise<TerminalPty> {
    return openSshPty(this.context, argv, size);
  }
}

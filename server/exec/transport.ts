/**
 * The seam between AI-Slave and the machine a workspace lives on. Git, the agents, the probes and
 * the terminal all go through it, so local and remote workspaces are one code path: nothing
 * outside server/exec asks which kind of machine it is talking to.
 */
import type { WorkspaceType } from "@/lib/enums";
import type { ForwardRules } from "./forward-env";
import type { DetachedProcess, DetachedSpawnOptions, LineHandlers, LogOffsets, ReattachOptions } from "./detached";

export interface ExecOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. Without it stdin is closed at once. */
  stdin?: string;
  /** Milliseconds before the process is killed. */
  timeoutMs?: number;
  /** exec only: bytes kept of stdout and of stderr each (default 64 MB); the rest is cut with a marker. */
  maxOutputBytes?: number;
  /**
   * This machine: the command may ask a terminal for input (a `git push` whose ssh wants a
   * passphrase or a host key's confirmation). It gets a session of its own, without the server's
   * terminal, so it fails at once instead of waiting there. Other commands share the server's
   * session (server/exec/spawner.cjs run()).
   */
  ownSession?: boolean;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions extends ExecOptions {
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
}

/** A spawned process in its own process group. */
export interface SpawnedProcess {
  pid: number | undefined;
  /** Resolves with the exit code (null when killed by a signal) after all output was delivered. */
  exited: Promise<{ exitCode: number | null; signal: string | null }>;
  /** SIGTERM to the whole group, then SIGKILL after `graceMs` if still alive. */
  terminate(graceMs: number): Promise<void>;
}

/** How an agent CLI is found: the machine decides which of these applies to it. */
export interface CliLookup {
  cliName: string;
  /** The variable naming the CLI's path on the server (AI_SLAVE_CLAUDE_BIN). */
  binEnvVar: string;
  /** The `cliPath.<backend>` setting: a path on the server's machine. */
  serverPath: string | null;
  /** The `remoteCliPath.<workspace>.<backend>` setting: a path on the workspace's host. */
  hostPath: string | null;
}

/** A terminal on the workspace's machine: bytes in and out, a size, an end. */
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

export interface HostKeyInfo {
  fingerprint: string;
  source: "known_hosts" | "pinned";
}

export interface Transport {
  readonly kind: WorkspaceType;
  /** Runs argv (no shell) and collects its output. Never throws for a non-zero exit. */
  exec(argv: string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts argv (no shell) streaming its output line by line; it ends with this server. */
  spawn(argv: string[], options: SpawnOptions): SpawnedProcess;
  /**
   * The argv that runs a user's shell text (a workspace's setup script or check command) in the
   * workspace's login shell, with the user's environment and without this server's token.
   */
  userScriptArgv(script: string): string[];
  pathExists(path: string): Promise<boolean>;
  /** Starts argv in a tmux session, detached from this server: it outlives a restart. */
  spawnDetached(argv: string[], options: DetachedSpawnOptions): Promise<DetachedProcess>;
  /** Follows a detached run again from saved offsets. */
  reattach(options: ReattachOptions): DetachedProcess;
  /** Stops a detached run no one follows (TERM, then KILL after the grace period); nothing if it ended. */
  stopDetached(logPath: string, graceMs: number): Promise<void>;
  /** Delivers a detached run's log lines before the offsets (to rebuild a parser's state). */
  replayLogs(logPath: string, offsets: LogOffsets, handlers: LineHandlers): Promise<void>;
  /** The agent's environment as it reaches this machine: all of it here, only what `rules` forward elsewhere. */
  agentEnv(env: Record<string, string | undefined>, rules: ForwardRules): Record<string, string>;
  /** Where an agent CLI is on this machine; null when it is not there. */
  locateCli(lookup: CliLookup): Promise<string | null>;
  /** The SSH host key this server trusts for the machine, for the user to compare; null where none is involved. */
  hostKey(): Promise<HostKeyInfo | null>;
  /** Runs argv (a tmux attach) in a terminal on this machine. */
  openPty(argv: string[], size: TerminalSize): Promise<TerminalPty>;
}

/**
 * The seam between AI-Slave and the machine a workspace lives on. Git, the agents and the
 * resource probes all go through it, so local and remote workspaces are one code path.
 */

export interface ExecOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. Without it stdin is closed at once. */
  stdin?: string;
  /** Milliseconds before the process is killed. */
  timeoutMs?: number;
  /** exec only: bytes kept of stdout and of stderr each (default 64 MB); the rest is cut with a marker. */
  maxOutputBytes?: number;
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

export interface Transport {
  readonly kind: "local" | "ssh" | "ssh_container";
  /** Runs argv (no shell) and collects its output. Never throws for a non-zero exit. */
  exec(argv: string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts argv (no shell) streaming its output line by line. */
  spawn(argv: string[], options: SpawnOptions): SpawnedProcess;
  pathExists(path: string): Promise<boolean>;
}

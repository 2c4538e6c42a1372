/**
 * The one place that builds command lines for a remote shell. Each argument is single-quoted
 * for a POSIX shell (bash, zsh, dash), so it reaches the program byte for byte; the layers are
 * the SSH server's shell, then optionally `docker exec` into a container, then a login shell
 * (`bash -lc` / `zsh -lc`) that gives the user's PATH. Each layer quotes its inner layer once, and
 * the outermost line is one base64 word (remoteCommandLine), whatever the account's shell.
 * Dynamic content (prompts, secrets, commit messages) travels on stdin or as base64, never here.
 */
import type { LoginShell } from "@/lib/enums";

/** Characters that need no quoting in any POSIX shell (no `=`: zsh expands a leading one). */
const SAFE_WORD = /^[A-Za-z0-9_/.,:@%+-]+$/;

/** One argument as a shell word: `it's` -> `'it'\''s'`. NUL cannot reach a program's argv. */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a shell argument cannot contain NUL");
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** argv as one shell command line. */
export function shellJoin(argv: string[]): string {
  if (argv.length === 0) throw new Error("empty argv");
  return argv.map(shellQuote).join(" ");
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
}

/** `export NAME='value'` lines, for a script or an env file sourced by one. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => {
    assertEnvName(name);
    return `export ${name}=${shellQuote(value)}`;
  });
}

/** Where a remote command runs: the login shell, inside a container when one is named. */
export interface ShellTarget {
  shell: LoginShell;
  /** Run inside this container on the host (`docker exec`). */
  container?: string | null;
}

export interface WrapOptions {
  /** `docker exec -t` for an interactive terminal (the SSH channel has a PTY). */
  tty?: boolean;
  /**
   * The host keeps the account's login environment in SAVED_LOGIN_ENV (server/exec/ssh-login-env.ts):
   * `sh` takes it from there instead of a login shell reading the profile again; without the file,
   * the login shell runs as before.
   */
  savedEnv?: boolean;
}

/** Where a host keeps the account's login environment: `export` lines and the umask, for `sh`. */
export const SAVED_LOGIN_ENV = "$HOME/.ai-slave/login-env";

/** Arguments: the login shell, the script. */
const FROM_SAVED_ENV = `f="${SAVED_LOGIN_ENV}"; if [ -r "$f" ]; then . "$f"; eval "$2"; else exec "$1" -lc "$2"; fi`;

/**
 * The argv that runs `script` in the target's login shell: `bash -lc script`, or
 * `docker exec -i <container> bash -lc script`; with `savedEnv`, `sh` in the saved login environment.
 */
export function loginShellArgv(target: ShellTarget, script: string, options: WrapOptions = {}): string[] {
  if (options.savedEnv && !target.container) return ["sh", "-c", FROM_SAVED_ENV, "sh", target.shell, script];
  const shell = [target.shell, "-lc", script];
  if (!target.container) return shell;
  return ["docker", "exec", options.tty ? "-it" : "-i", target.container, ...shell];
}

/**
 * The command line the SSH server hands to the account's shell, whichever it is (bash, zsh, dash,
 * fish, csh): the real command goes as one base64 word that `sh` decodes and runs, so the line
 * holds only characters every shell parses alike (no backslash, no quote inside the quotes).
 */
export function remoteCommandLine(target: ShellTarget, script: string, options: WrapOptions = {}): string {
  const payload = Buffer.from(shellJoin(loginShellArgv(target, script, options)), "utf8").toString("base64");
  return `sh -c 'eval "exec $(printf %s ${payload} | base64 -d)"'`;
}

/**
 * Printed to stdout right before the command starts, with the command's pid, so output a login
 * profile printed (a banner, `echo` in ~/.profile) can be told apart from the command's own and
 * dropped, and the command can be signalled where the SSH channel's signals do not reach it.
 */
export const STDOUT_MARKER_START = "\u001eAI-SLAVE:";
export const STDOUT_MARKER_END = "\u001e";

/** Exit status when the working directory is missing, as the local transport reports it. */
export const EXIT_NO_CWD = 127;

export interface ExecScriptOptions {
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Seconds after which the command's whole process group is killed; none when absent. */
  timeoutSec?: number;
}

/**
 * The script run by the login shell for one command: cd, export, marker, exec. The command runs
 * under GNU `timeout`, which puts it in a process group of its own and relays SIGTERM to that
 * group, so signalling the marker's pid stops everything the command started. `exec` keeps the
 * pid and the exit status the command's own.
 */
export function execScript(options: ExecScriptOptions): string {
  const cwd = shellQuote(options.cwd);
  const seconds = options.timeoutSec === undefined ? "0" : `${Math.max(1, Math.ceil(options.timeoutSec))}`;
  const missingCwd = `${options.argv[0] ?? ""}: working directory not found: ${options.cwd}`;
  return [
    `cd -- ${cwd} 2>/dev/null || { printf '%s\\n' ${shellQuote(missingCwd)} >&2; exit ${EXIT_NO_CWD}; }`,
    ...exportLines(options.env ?? {}),
    `printf '%s%s%s' ${shellQuote(STDOUT_MARKER_START)} "$$" ${shellQuote(STDOUT_MARKER_END)}`,
    `exec ${shellJoin(["timeout", "-k", "2", seconds, ...options.argv])}`,
  ].join("\n");
}

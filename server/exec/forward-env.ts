/**
 * Which of the agent's variables travel to another machine. Secrets and the agents' own settings
 * do (by prefix, plus names the user lists); variables naming paths on the server's machine never
 * do: on the host they would point at folders that are not there, or that the remote user may not
 * write (a `CLAUDE_CONFIG_DIR` there makes Claude Code deny every edit).
 */

export interface ForwardRules {
  /** Prefixes of the agents' own variables (ANTHROPIC_, OPENAI_, ...). */
  prefixes: string[];
  /** Exact names, e.g. the run's ids, the GPUs and what AI_SLAVE_REMOTE_ENV lists. */
  names: string[];
  /** Names never sent, on top of SERVER_PATH_VARIABLES: the agent's own path variables. */
  exclude?: readonly string[];
}

/** Paths on the server's machine: the remote login environment provides its own. */
export const SERVER_PATH_VARIABLES = new Set(["CLAUDE_CONFIG_DIR", "CODEX_HOME", "HOME", "TMPDIR", "PWD", "OLDPWD", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Only names a shell can export (bash's exported functions, `BASH_FUNC_x%%`, cannot be). */
export function exportableEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => ENV_NAME.test(entry[0]) && entry[1] !== undefined));
}

/** The part of `env` that goes to another machine under `rules`. */
export function forwardedEnv(env: Record<string, string | undefined>, rules: ForwardRules): Record<string, string> {
  const names = new Set(rules.names);
  const excluded = new Set(rules.exclude ?? []);
  const forwarded = (name: string) => !SERVER_PATH_VARIABLES.has(name) && !excluded.has(name) && (names.has(name) || rules.prefixes.some((prefix) => name.startsWith(prefix)));
  return Object.fromEntries(Object.entries(exportableEnv(env)).filter(([name]) => forwarded(name)));
}

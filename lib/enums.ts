/**
 * The one source of truth for every enum in AI-Slave. The Prisma schema stores these as
 * strings (SQLite has no enums); zod schemas, the API and the UI all derive from the tuples here.
 */

export const WORKSPACE_TYPES = ["local", "ssh", "ssh_container"] as const;
export type WorkspaceType = (typeof WORKSPACE_TYPES)[number];

export const LOGIN_SHELLS = ["bash", "zsh"] as const;
export type LoginShell = (typeof LOGIN_SHELLS)[number];

export const BACKENDS = ["claude_code", "codex_cli"] as const;
export type Backend = (typeof BACKENDS)[number];

export const TASK_STATUSES = ["TODO", "RUNNING", "DONE", "FAILED"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const RUN_STATUSES = ["RUNNING", "DONE", "FAILED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Why a run was started: the first run, a follow-up prompt, a manual retry, an automatic retry. */
export const RUN_KINDS = ["initial", "continue", "retry", "auto_retry"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const ERROR_CLASSES = ["CODE", "TOOL", "NETWORK", "QUOTA", "RATE_LIMIT", "CANCELLED", "UNKNOWN"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const QUOTA_STATES = ["OK", "EXHAUSTED", "UNKNOWN"] as const;
export type QuotaStateValue = (typeof QUOTA_STATES)[number];

export const PROVIDERS = ["anthropic", "openai"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const BACKEND_PROVIDER: Record<Backend, Provider> = {
  claude_code: "anthropic",
  codex_cli: "openai",
};

export const BACKEND_LABELS: Record<Backend, string> = {
  claude_code: "Claude Code",
  codex_cli: "Codex CLI",
};

/** Claude Code takes permission modes, Codex takes sandbox modes. */
export const PERMISSION_MODES = {
  claude_code: ["default", "acceptEdits", "plan", "bypassPermissions"],
  codex_cli: ["read-only", "workspace-write", "danger-full-access"],
} as const satisfies Record<Backend, readonly string[]>;
export type PermissionMode = (typeof PERMISSION_MODES)[Backend][number];

/** Each backend's default lets the agent edit files in its own worktree without asking. */
export const DEFAULT_PERMISSION_MODE: Record<Backend, PermissionMode> = {
  claude_code: "acceptEdits",
  codex_cli: "workspace-write",
};

export function isPermissionModeFor(backend: Backend, mode: string): mode is PermissionMode {
  return (PERMISSION_MODES[backend] as readonly string[]).includes(mode);
}

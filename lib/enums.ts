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

/**
 * Why a run was started: the first run, a follow-up prompt, a manual retry, an automatic retry,
 * a fix round (the server's follow-up after failing checks or review findings), a review by a
 * second agent.
 */
export const RUN_KINDS = ["initial", "continue", "retry", "auto_retry", "fix", "review"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const ERROR_CLASSES = ["CODE", "TOOL", "NETWORK", "QUOTA", "RATE_LIMIT", "CANCELLED", "SETUP", "UNKNOWN"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** A task's checks, as of its latest work run: none configured or not run yet, passed, failed. */
export const CHECK_STATES = ["NONE", "PASSED", "FAILED"] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** One check's result on a run. */
export const RUN_CHECK_STATES = ["PASSED", "FAILED", "TIMED_OUT"] as const;
export type RunCheckState = (typeof RUN_CHECK_STATES)[number];

/** A task's review: none asked, waiting for the reviewer, approved, changes requested, reviewer failed. */
export const REVIEW_STATES = ["NONE", "PENDING", "APPROVED", "CHANGES_REQUESTED", "ERROR"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const REVIEW_VERDICTS = ["approve", "request_changes"] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

export const FINDING_SEVERITIES = ["blocker", "major", "minor", "nit"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** Who wrote a review comment, and which side of the diff it is on. */
export const COMMENT_AUTHORS = ["user", "agent"] as const;
export type CommentAuthor = (typeof COMMENT_AUTHORS)[number];
export const COMMENT_SIDES = ["new", "old"] as const;
export type CommentSide = (typeof COMMENT_SIDES)[number];

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

/** What a reviewer runs in: it reads the worktree and changes nothing. */
export const READ_ONLY_PERMISSION_MODE: Record<Backend, PermissionMode> = {
  claude_code: "plan",
  codex_cli: "read-only",
};

export function isPermissionModeFor(backend: Backend, mode: string): mode is PermissionMode {
  return (PERMISSION_MODES[backend] as readonly string[]).includes(mode);
}

/**
 * The one source of truth for every enum in AI-Slave. The Prisma schema stores these as
 * strings (SQLite has no enums); zod schemas, the API and the UI all derive from the tuples here.
 */

export const WORKSPACE_TYPES = ["local", "ssh", "ssh_container"] as const;
export type WorkspaceType = (typeof WORKSPACE_TYPES)[number];

export const LOGIN_SHELLS = ["bash", "zsh"] as const;
export type LoginShell = (typeof LOGIN_SHELLS)[number];

/**
 * Every agent backend, one line each: the name people see, the provider whose quota its runs draw
 * on, and that provider's name. Everything else about an agent (command, stream parser, models,
 * permission modes, forwarded variables) lives in its adapter, `server/agents/<agent>/`.
 */
export const AGENT_BACKENDS = {
  claude_code: { label: "Claude Code", provider: "anthropic", providerLabel: "Anthropic" },
  codex_cli: { label: "Codex CLI", provider: "openai", providerLabel: "OpenAI" },
  gemini_cli: { label: "Gemini CLI", provider: "google", providerLabel: "Google" },
  qwen_code: { label: "Qwen Code", provider: "qwen", providerLabel: "Qwen Code's provider" },
  opencode: { label: "opencode", provider: "opencode", providerLabel: "opencode's provider" },
} as const satisfies Record<string, { label: string; provider: string; providerLabel: string }>;
export type Backend = keyof typeof AGENT_BACKENDS;
export const BACKENDS = Object.keys(AGENT_BACKENDS) as [Backend, ...Backend[]];

export const TASK_STATUSES = ["TODO", "RUNNING", "DONE", "FAILED"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const RUN_STATUSES = ["RUNNING", "DONE", "FAILED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Why a run was started: the first run, a follow-up prompt, a manual retry, an automatic retry,
 * a fix round (the server's follow-up after failing checks or review findings), a review by a
 * second agent, a conflict resolution asked by the merge queue.
 */
export const RUN_KINDS = ["initial", "continue", "retry", "auto_retry", "fix", "review", "resolve"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * AUTH: the provider refused the credentials (a missing or wrong API key, an expired login).
 * SETUP: the workspace's setup script failed before the agent ran.
 */
export const ERROR_CLASSES = ["CODE", "TOOL", "NETWORK", "QUOTA", "RATE_LIMIT", "AUTH", "CANCELLED", "SETUP", "UNKNOWN"] as const;
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

export type Provider = (typeof AGENT_BACKENDS)[Backend]["provider"];
export const PROVIDERS = [...new Set(BACKENDS.map((backend) => AGENT_BACKENDS[backend].provider))] as [Provider, ...Provider[]];

const byBackend = <T>(pick: (backend: Backend) => T) => Object.fromEntries(BACKENDS.map((backend) => [backend, pick(backend)])) as Record<Backend, T>;

export const BACKEND_PROVIDER: Record<Backend, Provider> = byBackend((backend) => AGENT_BACKENDS[backend].provider);
export const BACKEND_LABELS: Record<Backend, string> = byBackend((backend) => AGENT_BACKENDS[backend].label);
export const PROVIDER_LABELS = Object.fromEntries(BACKENDS.map((backend) => [AGENT_BACKENDS[backend].provider, AGENT_BACKENDS[backend].providerLabel])) as Record<Provider, string>;

/** A backend's permission (or sandbox) mode; each adapter lists its own (`permissionModes`). */
export type PermissionMode = string;

/** Where a run's cost comes from: the CLI's own figure, or the price table (`server/usage/pricing.ts`). */
export const COST_SOURCES = ["reported", "estimated"] as const;
export type CostSource = (typeof COST_SOURCES)[number];

/** How the merge queue brings a task branch up to date with the base. */
export const UPDATE_STRATEGIES = ["rebase", "merge"] as const;
export type UpdateStrategy = (typeof UPDATE_STRATEGIES)[number];

/** Where a merge queue entry is: in the queue, landed, or taken out (with a reason). */
export const MERGE_QUEUE_STATES = ["queued", "merged", "left"] as const;
export type MergeQueueState = (typeof MERGE_QUEUE_STATES)[number];

/** The step of the queue's head: update the branch, resolve a conflict, check, land, clean up. */
export const MERGE_QUEUE_STEPS = ["waiting", "updating", "resolving", "checking", "landing", "cleanup"] as const;
export type MergeQueueStep = (typeof MERGE_QUEUE_STEPS)[number];

/** How a task waits for the tasks it depends on: until they merged, or (stacked) until its one parent is DONE. */
export const DEPENDENCY_MODES = ["merged", "done"] as const;
export type DependencyMode = (typeof DEPENDENCY_MODES)[number];

/** A pull (merge) request's state as its forge reports it. */
export const PULL_REQUEST_STATES = ["open", "merged", "closed"] as const;
export type PullRequestState = (typeof PULL_REQUEST_STATES)[number];

import type { QuotaWindow } from "@/lib/schemas/quota";
import type { Backend, ErrorClass, PermissionMode, Provider } from "@/lib/enums";
import type { LogEvent, UsageFigures } from "@/lib/log-events";
import type { ModelOption } from "@/lib/models";

/** What the executor asks an adapter for: everything needed to start one run. */
export interface AgentRunOptions {
  /** Absolute path of the CLI binary, already resolved. */
  bin: string;
  prompt: string;
  model: string;
  permissionMode: PermissionMode;
  /** The task's worktree; the process is spawned with this cwd. */
  cwd: string;
  /** The previous run's session id when continuing. */
  resumeSessionId?: string;
  /** A file (mode 0600, in the run folder) naming this server's MCP server and the run's token (agentMcp). */
  mcpConfigPath?: string;
  /**
   * A JSON Schema file on the agent's machine that the final answer must match (a review), for
   * CLIs that take one as a file (Codex `--output-schema`); others are asked in the prompt.
   */
  outputSchemaPath?: string;
}

/** A process to spawn. An adapter never spawns it itself: the executor does, through a Transport. */
export interface AgentCommand {
  argv: string[];
  /** Added to the inherited environment. */
  env: Record<string, string>;
  /** Written to the process's stdin, which is then closed. */
  stdin: string;
}

/** Cumulative counters as a CLI reports them; the adapter turns them into per-run figures. */
export interface CumulativeUsage {
  /** Opaque per-adapter snapshot stored on the run so the next resumed run can subtract it. */
  snapshot: Record<string, number>;
}

export interface QuotaSignal {
  state: "EXHAUSTED";
  /** When the provider says the limit resets, if it says. */
  resetsAt?: Date;
  message: string;
}

/** The adapter's verdict on a finished process: the exit code alone is not enough. */
export interface RunVerdict {
  status: "DONE" | "FAILED";
  errorClass?: ErrorClass;
  /** A reason a person can read. */
  reason?: string;
  /** A transient failure (overloaded, dropped connection) worth an automatic retry. */
  transient?: boolean;
  /** The resumed session could not be found. */
  sessionNotFound?: boolean;
  sessionId?: string;
  /** This run's own figures. */
  usage: UsageFigures;
  /** The CLI's cumulative counters at the end of this run (for the next resumed run). */
  cumulative: Record<string, number>;
  quota?: QuotaSignal;
  /** The rate-limit windows the CLI reported last in the run (Claude Code's rate_limit_event), if any. */
  quotaWindows?: QuotaWindow[];
}

/** Pure, stateful stream parser: one per run. Never throws on unknown input. */
export interface AgentStreamParser {
  /** One complete stdout line in, zero or more normalized events out. */
  pushStdout(line: string): LogEvent[];
  /** One stderr line: kept, and remembered for the verdict. */
  pushStderr(line: string): LogEvent[];
  /**
   * The verdict once the process exited. `previousCumulative` is the snapshot stored on the
   * run this one resumed (empty for a fresh session).
   */
  finish(exitCode: number | null, previousCumulative: Record<string, number>): RunVerdict;
  /** The rate-limit windows reported so far in the run, for a CLI that reports them (read while it runs). */
  quotaWindows?(): QuotaWindow[];
}

/** The models a backend offers in the UI. Any other name matching MODEL_NAME_PATTERN can be typed in. */
export interface ModelCatalogue {
  default: string;
  /** Well-known names, offered first. */
  options: ModelOption[];
  /**
   * Whether names outside the list are normal (a CLI pointed at the user's own endpoints and
   * providers) rather than an exception: the form then shows a text input with suggestions.
   */
  freeForm: boolean;
}

/**
 * Everything AI-Slave knows about one agent CLI. The UI (through GET /api/models), the supervisor
 * and the remote runner read an agent's particulars from here, so a new agent is its folder, one
 * line in `AGENT_BACKENDS` (lib/enums.ts) and one in `ADAPTERS` (registry.ts).
 */
export interface AgentAdapter {
  backend: Backend;
  /** Shown in the UI; from AGENT_BACKENDS. */
  label: string;
  provider: Provider;
  providerLabel: string;
  /** The executable's name, also the npm package's bin name. */
  cliName: string;
  /** The environment variable naming an explicit path to the CLI. */
  binEnvVar: string;
  models: ModelCatalogue;
  /** The modes the CLI's permission/approval/sandbox flag takes, in the order the form lists them. */
  permissionModes: readonly string[];
  /** Lets the agent edit files in its own worktree without asking. */
  defaultPermissionMode: string;
  /** Reads the worktree and changes nothing: what a reviewer runs in. */
  readOnlyPermissionMode: string;
  /** Prefixes of the variables a remote run takes from the server's environment (API keys, base URLs, config). */
  forwardedEnvPrefixes: readonly string[];
  /**
   * The CLI's variables that name a path on the server's machine (its config home): never sent to
   * another machine, even under a forwarded prefix; the host's login environment sets its own.
   */
  pathEnvVars: readonly string[];
  /** The variable naming the CLI's config home, set from an account's `configDir` (server/accounts); absent: accounts give it variables only. */
  configDirEnvVar?: string;
  /** Whether the CLI reports a cost; when not, the run's cost is estimated from the price table. */
  reportsCost: boolean;
  /** The file content `mcpConfigPath` names, for a CLI that can be given an MCP server (agentMcp); absent otherwise. */
  mcpConfig?: (url: string, token: string) => string;
  buildCommand(options: AgentRunOptions): AgentCommand;
  createParser(): AgentStreamParser;
}

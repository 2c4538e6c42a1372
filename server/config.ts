import path from "node:path";
import { tokenFileFor } from "./auth/token";

/** Server configuration, read from the environment once. Documented in README.md and .env.example. */
export interface ServerConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** Absolute path of the SQLite file behind databaseUrl. */
  databaseFile: string;
  projectRoot: string;
  /** Per-task working data of the server itself (and an optional worktree root). */
  tasksDir: string;
  /** Most runs this server's local runner executes at once, over all workspaces. */
  runnerMaxConcurrency: number;
  /** Runs starting at once on one machine (worktree, setup, launch); agents then run side by side (runs/start-gate.ts). */
  startsPerMachine: number;
  /** Automatic-retry delays for transient failures, in ms. */
  retryDelaysMs: number[];
  scanIntervalMs: number;
  cancelGraceMs: number;
  /** The niceness agents run at (0 to 19): the user's own interactive work comes first. */
  agentNice: number;
  /**
   * The niceness of the local commands the server starts through its spawner (git, tmux, probes,
   * the run scripts; 0 to 19): under load the server's own thread, which answers the API and the
   * board, comes before the work it starts.
   */
  workNice: number;
  /** How long a run's machine may stay unreachable before the run is FAILED with class NETWORK. */
  hostAwayLimitMs: number;
  logCapBytes: number;
  /** Runs that ended more than this many days ago lose their raw output lines. */
  logCompactDays: number;
  /** How often open pull requests are asked about (merged, closed); 0: never. */
  pullRequestRefreshMs: number;
  sseHeartbeatMs: number;
  /** Events queued for one slow SSE client before it is dropped (it reconnects and catches up). */
  sseMaxQueued: number;
  /** Extra origins (besides the server's own) allowed to make state-changing requests. */
  allowedOrigins: string[];
  /** Extra Host names the server answers to (a reverse proxy's public name). */
  allowedHosts: string[];
  /** "off" only with AI_SLAVE_AUTH=off, which server.ts accepts on a loopback HOST alone. */
  auth: "token" | "off";
  /** AI_SLAVE_TOKEN, when the token is set explicitly instead of kept in the data folder. */
  envToken: string | undefined;
  /** `<data folder>/token`: the generated token, mode 0600. */
  tokenFile: string;
  /** The MCP server's URL as agents reach it (agentMcp): AI_SLAVE_MCP_URL, else loopback on PORT. */
  mcpUrl: string;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

function listFromEnv(name: string): string[] {
  return (process.env[name] ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

/** `file:./data/x.db` -> absolute path, relative to the project root like Prisma does. */
export function sqliteFileFromUrl(url: string, projectRoot: string): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL, got "${url}"`);
  const file = url.slice("file:".length).split("?")[0] ?? "";
  return path.resolve(projectRoot, file);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const projectRoot = path.resolve(/*turbopackIgnore: true*/ env.AI_SLAVE_ROOT ?? process.cwd());
  const databaseUrl = env.DATABASE_URL ?? "file:./data/ai-slave.db";
  return {
    host: env.HOST ?? "127.0.0.1",
    port: intFromEnv("PORT", 3000),
    databaseUrl,
    databaseFile: sqliteFileFromUrl(databaseUrl, projectRoot),
    projectRoot,
    tasksDir: path.resolve(projectRoot, env.AI_SLAVE_TASKS_DIR ?? "tasks"),
    runnerMaxConcurrency: intFromEnv("AI_SLAVE_MAX_CONCURRENCY", 8),
    startsPerMachine: Math.max(1, intFromEnv("AI_SLAVE_STARTS_PER_MACHINE", 1)),
    retryDelaysMs: (listFromEnv("AI_SLAVE_RETRY_DELAYS").length ? listFromEnv("AI_SLAVE_RETRY_DELAYS") : ["5", "15", "30"]).map(
      (seconds) => Math.round(Number(seconds) * 1000),
    ),
    scanIntervalMs: intFromEnv("AI_SLAVE_SCAN_INTERVAL_MS", 5000),
    cancelGraceMs: intFromEnv("AI_SLAVE_CANCEL_GRACE_MS", 5000),
    // 19: each agent is a scheduling group of its own (detached-scripts.ts), and fifty groups at 10
    // (weight 110 each) outweighed the server's one group at 0 (1,024) five times over; at 19 (15
    // each) fifty weigh 750. Idle CPU is theirs all the same.
    agentNice: Math.min(19, Math.max(0, intFromEnv("AI_SLAVE_AGENT_NICE", 19))),
    workNice: Math.min(19, Math.max(0, intFromEnv("AI_SLAVE_WORK_NICE", 10))),
    hostAwayLimitMs: intFromEnv("AI_SLAVE_HOST_AWAY_LIMIT_SEC", 600) * 1000,
    logCapBytes: intFromEnv("AI_SLAVE_LOG_CAP_BYTES", 50 * 1024 * 1024),
    logCompactDays: intFromEnv("AI_SLAVE_LOG_COMPACT_DAYS", 14),
    pullRequestRefreshMs: intFromEnv("AI_SLAVE_PR_REFRESH_MS", 5 * 60 * 1000),
    sseHeartbeatMs: intFromEnv("AI_SLAVE_SSE_HEARTBEAT_MS", 15_000),
    sseMaxQueued: intFromEnv("AI_SLAVE_SSE_MAX_QUEUED", 10_000),
    allowedOrigins: listFromEnv("AI_SLAVE_ALLOWED_ORIGINS"),
    allowedHosts: listFromEnv("AI_SLAVE_ALLOWED_HOSTS"),
    auth: env.AI_SLAVE_AUTH?.trim().toLowerCase() === "off" ? "off" : "token",
    envToken: env.AI_SLAVE_TOKEN?.trim() || undefined,
    tokenFile: tokenFileFor(sqliteFileFromUrl(databaseUrl, projectRoot)),
    mcpUrl: env.AI_SLAVE_MCP_URL?.trim() || `http://127.0.0.1:${intFromEnv("PORT", 3000)}/api/mcp`,
  };
}

let cached: ServerConfig | undefined;
export function config(): ServerConfig {
  cached ??= loadConfig();
  return cached;
}

/** Tests change the environment between files; this drops the cached copy. */
export function resetConfigForTests(): void {
  cached = undefined;
}

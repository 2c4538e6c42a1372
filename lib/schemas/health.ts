import { z } from "zod";
import { BACKENDS } from "../enums";

/** Where the local runner found an agent's CLI (server/exec/resolve-cli.ts). */
export const CLI_SOURCES = ["setting", "env", "project", "path"] as const;
export type CliSource = (typeof CLI_SOURCES)[number];

export const agentCapabilitySchema = z.object({
  available: z.boolean(),
  path: z.string().nullable(),
  source: z.enum(CLI_SOURCES).nullable(),
  version: z.string().nullable(),
});
export type AgentCapability = z.infer<typeof agentCapabilitySchema>;

export const runnerCapabilitiesSchema = z.object({
  agents: z.record(z.enum(BACKENDS), agentCapabilitySchema),
  platform: z.string(),
  node: z.string(),
});
export type RunnerCapabilities = z.infer<typeof runnerCapabilitiesSchema>;

export const runnerStatusSchema = z.object({
  id: z.number(),
  name: z.string(),
  online: z.boolean(),
  lastHeartbeatAt: z.string(),
  maxConcurrency: z.number(),
  capabilities: runnerCapabilitiesSchema.nullable(),
});
export type RunnerStatus = z.infer<typeof runnerStatusSchema>;

/** GET /api/health (503 when degraded). */
/** The server process: memory, and event-loop lag (ms a timer fired late) since the previous report (server/process-metrics.ts). */
export const processMetricsSchema = z.object({
  rssMb: z.number(),
  heapUsedMb: z.number(),
  eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number(), samples: z.number() }),
});
export type ProcessMetrics = z.infer<typeof processMetricsSchema>;

export const healthReportSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  uptimeSec: z.number(),
  database: z.object({ ok: z.boolean(), error: z.string().optional() }),
  scheduler: z.object({ running: z.boolean() }),
  runner: runnerStatusSchema.nullable(),
  process: processMetricsSchema,
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** GET /api/health without the token: the status alone. */
export const healthStatusSchema = healthReportSchema.pick({ status: true });

export const agentHealthSchema = z.object({ available: z.boolean(), version: z.string().nullable() });
export type AgentHealth = z.infer<typeof agentHealthSchema>;

/** GET /api/workspaces/:id/health */
export const workspaceHealthSchema = z.object({
  reachable: z.boolean(),
  error: z.string().nullable(),
  isGitRepo: z.boolean(),
  /** The repository's current branch. */
  baseBranch: z.string().nullable(),
  /** tmux's version, null when there is none (remote runs need it). */
  tmux: z.string().nullable(),
  agents: z.record(z.enum(BACKENDS), agentHealthSchema),
  freeDiskBytes: z.number().nullable(),
  /** The SSH host key this server trusts for the host, for the user to compare. */
  hostKey: z.object({ fingerprint: z.string(), source: z.enum(["known_hosts", "pinned"]) }).nullable(),
});
export type WorkspaceHealth = z.infer<typeof workspaceHealthSchema>;

export const memoryFiguresSchema = z.object({ totalBytes: z.number(), usedBytes: z.number(), availableBytes: z.number() });
export type MemoryFigures = z.infer<typeof memoryFiguresSchema>;

export const gpuFiguresSchema = z.object({
  index: z.number(),
  name: z.string(),
  memoryUsedMiB: z.number(),
  memoryTotalMiB: z.number(),
  utilizationPct: z.number(),
});
export type GpuFigures = z.infer<typeof gpuFiguresSchema>;

/** GET /api/workspaces/:id/resources */
export const hostResourcesSchema = z.object({
  memory: memoryFiguresSchema.nullable(),
  /** 1, 5 and 15 minute load averages. */
  load: z.tuple([z.number(), z.number(), z.number()]).nullable(),
  cpus: z.number().nullable(),
  gpus: z.array(gpuFiguresSchema),
});
export type HostResources = z.infer<typeof hostResourcesSchema>;

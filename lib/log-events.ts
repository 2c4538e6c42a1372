/**
 * Normalized log events (schemas in lib/schemas/logs.ts): what every agent adapter turns its
 * CLI's output into, what the run log stores and what the log viewer renders. Safe on client and server.
 */
import type { UsageFigures } from "./schemas/usage";

export type { UsageFigures } from "./schemas/usage";
export type { LogEvent, LogEventKind, StoredLogEvent, ToolStatus } from "./schemas/logs";

export const ZERO_USAGE: UsageFigures = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
};

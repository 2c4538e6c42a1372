/**
 * Task-scoped MCP tokens: each launch of an agent on an `agentMcp` workspace gets a fresh random
 * token that only the MCP route accepts, only while its task runs, and only for create_task and
 * get_task on the task's own workspace. The database keeps its sha256, never the token. Pure: no I/O
 * (the gate loads this outside Next's bundles).
 */
import { createHash, randomBytes } from "node:crypto";

export const AGENT_TOKEN_PREFIX = "ais_task_";
const AGENT_TOKEN_PATTERN = /^ais_task_[A-Za-z0-9_-]{43}$/;

export function newAgentToken(): string {
  return `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function agentTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The agent token in an `Authorization: Bearer ...` header, or null when it holds none. */
export function agentTokenFrom(authorization: string | null): string | null {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
  return token && AGENT_TOKEN_PATTERN.test(token) ? token : null;
}

import "server-only";
import { AppError } from "@/lib/errors";
import { agentTokenFrom, agentTokenHash } from "@/server/auth/agent-token";
import { db } from "@/server/db/client";
import { AUTHENTICATED_HEADER } from "@/server/http/gate";

/** Who calls the MCP server: the holder of the server's token, or one running task's agent (agentMcp). */
export type McpCaller = { kind: "owner" } | AgentCaller;
export interface AgentCaller {
  kind: "agent";
  taskId: number;
  workspaceId: number;
}

/**
 * The gate marks requests that carried the server's token; otherwise only a task's agent token
 * passed it, which is good while its task runs (each launch gets a new one: server/runs/agent-mcp.ts).
 */
export async function mcpCallerOf(request: Request): Promise<McpCaller> {
  if (request.headers.get(AUTHENTICATED_HEADER) === "1") return { kind: "owner" };
  const token = agentTokenFrom(request.headers.get("authorization"));
  if (token) {
    const task = await db().task.findFirst({ where: { mcpTokenHash: agentTokenHash(token), status: "RUNNING" }, select: { id: true, workspaceId: true } });
    if (task?.workspaceId != null) return { kind: "agent", taskId: task.id, workspaceId: task.workspaceId };
  }
  throw new AppError("unauthorized:token_invalid", "This MCP token is not valid: an agent's token lasts while its task runs.");
}

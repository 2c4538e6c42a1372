import { handler } from "@/server/http/handler";
import { mcpCallerOf } from "@/server/mcp/caller";
import { handleMcpRequest, mcpMethodNotAllowed } from "@/server/mcp/server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * The MCP server (Streamable HTTP, stateless, JSON answers). The gate has checked the server's
 * token, or passed on a task's agent token that mcpCallerOf checks. Tools: server/mcp/tools.ts.
 */
export const POST = handler(async (request) => handleMcpRequest(request, await mcpCallerOf(request)));

/** Stateless: no server-initiated stream (GET) and no session to end (DELETE). */
export const GET = handler(async () => mcpMethodNotAllowed());
export const DELETE = handler(async () => mcpMethodNotAllowed());

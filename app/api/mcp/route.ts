import { handler } from "@/server/http/handler";
import { handleMcpRequest, mcpMethodNotAllowed } from "@/server/mcp/server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The MCP server (Streamable HTTP, stateless, JSON answers); the gate has checked the token. Tools: server/mcp/tools.ts. */
export const POST = handler(async (request) => handleMcpRequest(request, { kind: "owner" }));

/** Stateless: no server-initiated stream (GET) and no session to end (DELETE). */
export const GET = handler(async () => mcpMethodNotAllowed());
export const DELETE = handler(async () => mcpMethodNotAllowed());

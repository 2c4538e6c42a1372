import "server-only";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { AppError } from "@/lib/errors";
import type { McpCaller } from "./caller";
import { toolError, type ToolResult } from "./format";
import { MCP_TOOLS, type McpTool } from "./tools";

const SERVER_INFO = { name: "ai-slave", version: "1.0.0" };
const INSTRUCTIONS =
  "AI-Slave runs coding agents (Claude Code, Codex) on git worktrees. list_workspaces, then create_task; follow a task with get_task until it is DONE or FAILED, read its changes with get_diff, and land it through the workspace's merge queue with queue_merge.";

async function runSafely(tool: McpTool, args: unknown, caller: McpCaller): Promise<ToolResult> {
  try {
    return await tool.run(args as never, caller);
  } catch (error) {
    if (error instanceof AppError) return toolError(error.code, error.message);
    console.error(`[mcp] tool ${tool.name} failed`, error);
    return toolError("internal", "Something went wrong on the server; the server log has the details.");
  }
}

/** An MCP server with the tools this caller may use. */
export function createMcpServer(caller: McpCaller): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  for (const tool of MCP_TOOLS) {
    if (caller.kind === "agent" && !tool.forAgents) continue;
    server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.input }, (args: unknown) => runSafely(tool, args, caller));
  }
  return server;
}

/**
 * One Streamable HTTP request, stateless: a fresh server and transport per request (no session
 * id), JSON answers instead of a stream, both closed once the answer is built.
 */
export async function handleMcpRequest(request: Request, caller: McpCaller): Promise<Response> {
  const server = createMcpServer(caller);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}

/** What a stateless MCP server answers to GET (a stream) and DELETE (a session), as the SDK's examples do. */
export function mcpMethodNotAllowed(): Response {
  return Response.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this MCP server is stateless; POST JSON-RPC messages." }, id: null }, { status: 405, headers: { Allow: "POST" } });
}

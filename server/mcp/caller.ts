/** Who calls the MCP server: the holder of the server's token, or one task's agent (agentMcp). */
export type McpCaller = { kind: "owner" } | { kind: "agent"; taskId: number; workspaceId: number };

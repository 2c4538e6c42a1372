import type { AgentCommand, AgentRunOptions } from "../types";

/** The MCP server's name in an agent's config: Claude Code calls its tools `mcp__ai-slave__<tool>`. */
export const AGENT_MCP_SERVER_NAME = "ai-slave";

/** Claude Code's --mcp-config JSON for one HTTP server with a bearer token. */
export function claudeMcpConfig(url: string, token: string): string {
  return JSON.stringify({ mcpServers: { [AGENT_MCP_SERVER_NAME]: { type: "http", url, headers: { Authorization: `Bearer ${token}` } } } });
}

/**
 * `claude -p` in stream-json mode. The prompt goes on stdin (`--input-format text`) so long
 * prompts never hit argv limits; the process cwd is the worktree (Claude has no cwd flag).
 */
export function buildClaudeCommand(options: AgentRunOptions): AgentCommand {
  const argv = [
    options.bin,
    "-p",
    "--input-format",
    "text",
    "--output-format",
    "stream-json",
    // stream-json with --print exits 1 without --verbose.
    "--verbose",
    "--model",
    options.model,
    "--permission-mode",
    options.permissionMode,
  ];
  if (options.resumeSessionId) argv.push("--resume", options.resumeSessionId);
  // The config file holds the URL and the run's token; the command line only its path.
  if (options.mcpConfigPath) argv.push("--mcp-config", options.mcpConfigPath, "--allowedTools", `mcp__${AGENT_MCP_SERVER_NAME}`);
  return { argv, env: claudeEnv(options), stdin: options.prompt };
}

function claudeEnv(options: AgentRunOptions): Record<string, string> {
  const env: Record<string, string> = {
    // No update checks or telemetry calls from a headless run.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  };
  // As root, bypassPermissions exits 1 unless the CLI is told it runs in a sandbox.
  if (options.permissionMode === "bypassPermissions") env.IS_SANDBOX = "1";
  return env;
}

import { BACKEND_PROVIDER } from "@/lib/enums";
import type { AgentAdapter } from "../types";
import { buildClaudeCommand, claudeMcpConfig } from "./command";
import { createClaudeParser } from "./parser";

export const claudeCodeAdapter: AgentAdapter = {
  backend: "claude_code",
  provider: BACKEND_PROVIDER.claude_code,
  cliName: "claude",
  binEnvVar: "AI_SLAVE_CLAUDE_BIN",
  mcpConfig: claudeMcpConfig,
  buildCommand: buildClaudeCommand,
  createParser: createClaudeParser,
};

import { defineAdapter } from "../define";
import { buildClaudeCommand, claudeMcpConfig } from "./command";
import { createClaudeParser } from "./parser";

export const claudeCodeAdapter = defineAdapter("claude_code", {
  cliName: "claude",
  binEnvVar: "AI_SLAVE_CLAUDE_BIN",
  models: {
    default: "sonnet",
    options: [
      { id: "opus", label: "Opus (latest)", alias: true },
      { id: "sonnet", label: "Sonnet (latest)", alias: true },
      { id: "haiku", label: "Haiku (latest)", alias: true },
      { id: "claude-opus-4-8", label: "Claude Opus 4.8" },
      { id: "claude-opus-4-7", label: "Claude Opus 4.7" },
      { id: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
      { id: "claude-sonnet-4-5", label: "Claude Sonnet 4.5" },
      { id: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
    ],
    freeForm: false,
  },
  permissionModes: ["default", "acceptEdits", "plan", "bypassPermissions"],
  defaultPermissionMode: "acceptEdits",
  readOnlyPermissionMode: "plan",
  forwardedEnvPrefixes: ["ANTHROPIC_", "CLAUDE_", "DISABLE_"],
  pathEnvVars: ["CLAUDE_CONFIG_DIR"],
  configDirEnvVar: "CLAUDE_CONFIG_DIR",
  reportsCost: true,
  mcpConfig: claudeMcpConfig,
  buildCommand: buildClaudeCommand,
  createParser: createClaudeParser,
});

import { defineAdapter } from "../define";
import { buildOpencodeCommand } from "./command";
import { createOpencodeParser } from "./parser";

export const opencodeAdapter = defineAdapter("opencode", {
  cliName: "opencode",
  binEnvVar: "AI_SLAVE_OPENCODE_BIN",
  // `provider/model`, for whatever providers the user configured.
  models: {
    default: "anthropic/claude-sonnet-4-5",
    options: [
      { id: "anthropic/claude-sonnet-4-5", label: "Anthropic · Claude Sonnet 4.5" },
      { id: "anthropic/claude-opus-4-8", label: "Anthropic · Claude Opus 4.8" },
      { id: "openai/gpt-5.5", label: "OpenAI · GPT-5.5" },
      { id: "google/gemini-2.5-pro", label: "Google · Gemini 2.5 Pro" },
      { id: "opencode/grok-code", label: "OpenCode Zen · Grok Code" },
    ],
    freeForm: true,
  },
  permissionModes: ["plan", "default", "auto"],
  defaultPermissionMode: "default",
  readOnlyPermissionMode: "plan",
  // Its config lives under XDG_CONFIG_HOME, a path of the server's machine: the host has its own.
  forwardedEnvPrefixes: ["OPENCODE_", "ANTHROPIC_", "OPENAI_", "GEMINI_", "GOOGLE_", "OPENROUTER_"],
  pathEnvVars: ["OPENCODE_CONFIG", "OPENCODE_CONFIG_DIR", "GOOGLE_APPLICATION_CREDENTIALS"],
  configDirEnvVar: "OPENCODE_CONFIG_DIR",
  reportsCost: true,
  buildCommand: buildOpencodeCommand,
  createParser: createOpencodeParser,
});

import { defineAdapter } from "../define";
import { buildCodexCommand } from "./command";
import { createCodexParser } from "./parser";

export const codexCliAdapter = defineAdapter("codex_cli", {
  cliName: "codex",
  binEnvVar: "AI_SLAVE_CODEX_BIN",
  models: {
    default: "gpt-5.5",
    options: [
      { id: "gpt-5.5", label: "GPT-5.5" },
      { id: "gpt-5.4", label: "GPT-5.4" },
      { id: "gpt-5.3-codex", label: "GPT-5.3 Codex" },
      { id: "gpt-5.2-codex", label: "GPT-5.2 Codex" },
      { id: "gpt-5.1-codex-max", label: "GPT-5.1 Codex Max" },
    ],
    freeForm: false,
  },
  // Codex takes sandbox modes.
  permissionModes: ["read-only", "workspace-write", "danger-full-access"],
  defaultPermissionMode: "workspace-write",
  readOnlyPermissionMode: "read-only",
  forwardedEnvPrefixes: ["OPENAI_", "CODEX_"],
  pathEnvVars: ["CODEX_HOME"],
  configDirEnvVar: "CODEX_HOME",
  reportsCost: false,
  buildCommand: buildCodexCommand,
  createParser: createCodexParser,
});

import { defineAdapter } from "../define";
import { buildGeminiCommand } from "./command";
import { createGeminiParser } from "./parser";

export const geminiCliAdapter = defineAdapter("gemini_cli", {
  cliName: "gemini",
  binEnvVar: "AI_SLAVE_GEMINI_BIN",
  models: {
    default: "gemini-2.5-pro",
    options: [
      { id: "gemini-3-pro-preview", label: "Gemini 3 Pro (preview)" },
      { id: "gemini-2.5-pro", label: "Gemini 2.5 Pro" },
      { id: "gemini-2.5-flash", label: "Gemini 2.5 Flash" },
      { id: "gemini-2.5-flash-lite", label: "Gemini 2.5 Flash-Lite" },
    ],
    freeForm: true,
  },
  // `default` leaves the write and shell tools out of a headless run; `plan` is read-only.
  permissionModes: ["plan", "default", "auto_edit", "yolo"],
  defaultPermissionMode: "auto_edit",
  readOnlyPermissionMode: "plan",
  forwardedEnvPrefixes: ["GEMINI_", "GOOGLE_"],
  pathEnvVars: ["GEMINI_CLI_HOME", "GOOGLE_APPLICATION_CREDENTIALS"],
  configDirEnvVar: "GEMINI_CLI_HOME",
  reportsCost: false,
  buildCommand: buildGeminiCommand,
  createParser: createGeminiParser,
});

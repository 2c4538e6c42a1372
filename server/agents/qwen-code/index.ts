import { defineAdapter } from "../define";
import { buildQwenCommand } from "./command";
import { createQwenParser } from "./parser";

export const qwenCodeAdapter = defineAdapter("qwen_code", {
  cliName: "qwen",
  binEnvVar: "AI_SLAVE_QWEN_BIN",
  models: {
    default: "qwen3-coder-plus",
    options: [
      { id: "qwen3-coder-plus", label: "Qwen3 Coder Plus" },
      { id: "qwen3-coder-flash", label: "Qwen3 Coder Flash" },
      { id: "qwen3-max", label: "Qwen3 Max" },
      { id: "qwen3-coder-480b-a35b-instruct", label: "Qwen3 Coder 480B (open weights)" },
    ],
    freeForm: true,
  },
  // `default` leaves the write and shell tools out of a headless run; `auto` asks a model classifier.
  permissionModes: ["plan", "default", "auto-edit", "auto", "yolo"],
  defaultPermissionMode: "auto-edit",
  readOnlyPermissionMode: "plan",
  forwardedEnvPrefixes: ["OPENAI_", "QWEN_", "DASHSCOPE_"],
  pathEnvVars: [],
  reportsCost: false,
  buildCommand: buildQwenCommand,
  createParser: createQwenParser,
});

import { BACKEND_PROVIDER } from "@/lib/enums";
import type { AgentAdapter } from "../types";
import { buildCodexCommand } from "./command";
import { createCodexParser } from "./parser";

export const codexCliAdapter: AgentAdapter = {
  backend: "codex_cli",
  provider: BACKEND_PROVIDER.codex_cli,
  cliName: "codex",
  binEnvVar: "AI_SLAVE_CODEX_BIN",
  buildCommand: buildCodexCommand,
  createParser: createCodexParser,
};

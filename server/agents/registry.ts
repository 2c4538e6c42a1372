import type { Backend } from "@/lib/enums";
import { claudeCodeAdapter } from "./claude-code";
import { codexCliAdapter } from "./codex-cli";
import { geminiCliAdapter } from "./gemini-cli";
import { opencodeAdapter } from "./opencode";
import { qwenCodeAdapter } from "./qwen-code";
import type { AgentAdapter } from "./types";

/** Every agent backend: a new agent is a new folder, its line in AGENT_BACKENDS and one line here. */
export const ADAPTERS: Record<Backend, AgentAdapter> = {
  claude_code: claudeCodeAdapter,
  codex_cli: codexCliAdapter,
  gemini_cli: geminiCliAdapter,
  qwen_code: qwenCodeAdapter,
  opencode: opencodeAdapter,
};

export function getAdapter(backend: Backend): AgentAdapter {
  return ADAPTERS[backend];
}

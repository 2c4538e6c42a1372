import type { Backend } from "@/lib/enums";
import { claudeCodeAdapter } from "./claude-code";
import { codexCliAdapter } from "./codex-cli";
import type { AgentAdapter } from "./types";

/** Every agent backend: a new agent is a new folder plus one line here. */
export const ADAPTERS: Record<Backend, AgentAdapter> = {
  claude_code: claudeCodeAdapter,
  codex_cli: codexCliAdapter,
};

export function getAdapter(backend: Backend): AgentAdapter {
  return ADAPTERS[backend];
}

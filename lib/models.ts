import type { Backend } from "./enums";

export interface ModelOption {
  /** What is passed to the CLI's model flag. */
  id: string;
  label: string;
  /** A CLI alias that follows the newest model of a family. */
  alias?: boolean;
}

/** The selectable models per backend. Any other model name the CLI accepts can still be typed in. */
export const MODEL_CATALOGUE: Record<Backend, { default: string; models: ModelOption[] }> = {
  claude_code: {
    default: "sonnet",
    models: [
      { id: "opus", label: "Opus (latest)", alias: true },
      { id: "sonnet", label: "Sonnet (latest)", alias: true },
      { id: "haiku", label: "Haiku (latest)", alias: true },
      { id: "claude-opus-4-8", label: "Claude Opus 4.8" },
      { id: "claude-opus-4-7", label: "Claude Opus 4.7" },
      { id: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
      { id: "claude-sonnet-4-5", label: "Claude Sonnet 4.5" },
      { id: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
    ],
  },
  codex_cli: {
    default: "gpt-5.5",
    models: [
      { id: "gpt-5.5", label: "GPT-5.5" },
      { id: "gpt-5.4", label: "GPT-5.4" },
      { id: "gpt-5.3-codex", label: "GPT-5.3 Codex" },
      { id: "gpt-5.2-codex", label: "GPT-5.2 Codex" },
      { id: "gpt-5.1-codex-max", label: "GPT-5.1 Codex Max" },
    ],
  },
};

/** Model names travel as one argv element; this keeps them to what model ids look like. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/[\]-]{0,127}$/;

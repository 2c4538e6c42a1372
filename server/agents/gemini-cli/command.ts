import type { AgentCommand, AgentRunOptions } from "../types";

/**
 * `gemini -p "" -o stream-json`: headless, the prompt on stdin (the CLI appends `-p` to stdin).
 * `-m` always: the default `auto` model first sends a routing request to another model.
 */
export function buildGeminiCommand(options: AgentRunOptions): AgentCommand {
  const argv = [
    options.bin,
    "-p",
    "",
    "-o",
    "stream-json",
    "-m",
    options.model,
    "--approval-mode",
    options.permissionMode,
    // A headless run in an untrusted folder exits 55 with empty stdout: the worktree is ours.
    "--skip-trust",
  ];
  if (options.resumeSessionId) argv.push("--resume", options.resumeSessionId);
  return { argv, env: GEMINI_HEADLESS_ENV, stdin: options.prompt };
}

/** On top of the user's own settings: no telemetry export, and trust the worktree. */
const GEMINI_HEADLESS_ENV: Record<string, string> = {
  GEMINI_CLI_TRUST_WORKSPACE: "true",
  GEMINI_TELEMETRY_ENABLED: "false",
};

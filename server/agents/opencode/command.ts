import type { AgentCommand, AgentRunOptions } from "../types";

/**
 * `opencode run --format json`, the prompt on stdin. The permission modes: `default` keeps the
 * user's configured permissions (an `ask` rule is auto-rejected headless), `auto` approves what
 * is not explicitly denied, `plan` runs opencode's read-only plan agent.
 */
export function buildOpencodeCommand(options: AgentRunOptions): AgentCommand {
  const argv = [options.bin, "run", "--format", "json", "-m", options.model];
  if (options.permissionMode === "auto") argv.push("--auto");
  if (options.permissionMode === "plan") argv.push("--agent", "plan");
  if (options.resumeSessionId) argv.push("--session", options.resumeSessionId);
  // opencode takes its working directory from $PWD, which the server's own environment would set
  // to wherever the server was started.
  return { argv, env: { ...OPENCODE_HEADLESS_ENV, PWD: options.cwd }, stdin: options.prompt };
}

/** On top of the user's config: no update check, no models.dev fetch, no sharing, no LSP downloads. */
const OPENCODE_HEADLESS_ENV: Record<string, string> = {
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_SHARE: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
};

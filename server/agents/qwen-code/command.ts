import type { AgentCommand, AgentRunOptions } from "../types";

/** `qwen -o stream-json`, one-shot with the prompt on stdin; `--resume` continues a session. */
export function buildQwenCommand(options: AgentRunOptions): AgentCommand {
  const argv = [options.bin, "-o", "stream-json", "-m", options.model, "--approval-mode", options.permissionMode];
  if (options.resumeSessionId) argv.push("--resume", options.resumeSessionId);
  return { argv, env: QWEN_HEADLESS_ENV, stdin: options.prompt };
}

/**
 * On top of the user's own settings: no usage statistics or telemetry (a lookup of Alibaba's
 * collector), no title request, and no yolo warning on stderr.
 */
const QWEN_HEADLESS_ENV: Record<string, string> = {
  QWEN_USAGE_STATISTICS_ENABLED: "false",
  QWEN_TELEMETRY_ENABLED: "false",
  QWEN_DISABLE_AUTO_TITLE: "1",
  QWEN_CODE_SUPPRESS_YOLO_WARNING: "1",
};

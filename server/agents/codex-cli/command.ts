import type { AgentCommand, AgentRunOptions } from "../types";

/**
 * `codex exec --json`, the prompt on stdin (`-`). A resume has no `-C`/`--sandbox`: the sandbox
 * goes in as a config override and the executor runs it with cwd = the worktree.
 */
export function buildCodexCommand(options: AgentRunOptions): AgentCommand {
  const common = ["--json", "-m", options.model];
  const argv = options.resumeSessionId
    ? [
        options.bin,
        "exec",
        "resume",
        ...common,
        "-c",
        `sandbox_mode="${options.permissionMode}"`,
        "--skip-git-repo-check",
        options.resumeSessionId,
        "-",
      ]
    : [
        options.bin,
        "exec",
        ...common,
        "--sandbox",
        options.permissionMode,
        "-C",
        options.cwd,
        "--skip-git-repo-check",
        // A reviewer's answer in the asked shape (the Responses API's structured output).
        ...(options.outputSchemaPath ? ["--output-schema", options.outputSchemaPath] : []),
        "-",
      ];
  return { argv, env: {}, stdin: options.prompt };
}

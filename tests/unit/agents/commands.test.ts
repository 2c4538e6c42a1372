import { describe, expect, it } from "vitest";
import { buildClaudeCommand, claudeMcpConfig } from "@/server/agents/claude-code/command";
import { buildCodexCommand } from "@/server/agents/codex-cli/command";
import { ADAPTERS } from "@/server/agents/registry";
import type { AgentRunOptions } from "@/server/agents/types";

const base = { prompt: "Add a README\nwith two lines", cwd: "/srv/tasks/7/worktree" };

describe("Claude Code command", () => {
  const options = (overrides: Partial<AgentRunOptions> = {}): AgentRunOptions => ({
    ...base,
    bin: "/opt/claude",
    model: "claude-sonnet-4-5",
    permissionMode: "acceptEdits",
    ...overrides,
  });

  it.each([...ADAPTERS.claude_code.permissionModes])("runs stream-json headless in %s mode with the prompt on stdin", (mode) => {
    const command = buildClaudeCommand(options({ permissionMode: mode }));
    expect(command.argv).toEqual([
      "/opt/claude",
      "-p",
      "--input-format",
      "text",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      "claude-sonnet-4-5",
      "--permission-mode",
      mode,
    ]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
    expect(command.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe("1");
    expect(command.env.DISABLE_AUTOUPDATER).toBe("1");
    expect(command.env.IS_SANDBOX).toBe(mode === "bypassPermissions" ? "1" : undefined);
  });

  it("resumes the previous session", () => {
    const command = buildClaudeCommand(options({ resumeSessionId: "cc78e07d-550c-466a-9bf6-8779b1f7397b" }));
    expect(command.argv.slice(-2)).toEqual(["--resume", "cc78e07d-550c-466a-9bf6-8779b1f7397b"]);
  });

  it("names the MCP config file and allows that server's tools; the token stays in the file", () => {
    const command = buildClaudeCommand(options({ mcpConfigPath: "/srv/tasks/7/.ai-slave/task-7/mcp-3-1.json" }));
    expect(command.argv.slice(-4)).toEqual(["--mcp-config", "/srv/tasks/7/.ai-slave/task-7/mcp-3-1.json", "--allowedTools", "mcp__ai-slave"]);
    expect(JSON.stringify(command)).not.toMatch(/Bearer|ais_task_/);
    expect(JSON.parse(claudeMcpConfig("http://127.0.0.1:3000/api/mcp", "ais_task_x"))).toEqual({
      mcpServers: { "ai-slave": { type: "http", url: "http://127.0.0.1:3000/api/mcp", headers: { Authorization: "Bearer ais_task_x" } } },
    });
    expect(buildClaudeCommand(options()).argv).not.toContain("--mcp-config");
  });
});

describe("Codex command", () => {
  const options = (overrides: Partial<AgentRunOptions> = {}): AgentRunOptions => ({
    ...base,
    bin: "/opt/codex",
    model: "gpt-5.5",
    permissionMode: "workspace-write",
    ...overrides,
  });

  it.each([...ADAPTERS.codex_cli.permissionModes])("starts a fresh thread in the %s sandbox, prompt read from stdin", (mode) => {
    const command = buildCodexCommand(options({ permissionMode: mode }));
    expect(command.argv).toEqual([
      "/opt/codex",
      "exec",
      "--json",
      "-m",
      "gpt-5.5",
      "--sandbox",
      mode,
      "-C",
      "/srv/tasks/7/worktree",
      "--skip-git-repo-check",
      "-",
    ]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
    expect(command.env).toEqual({});
  });

  it("resumes a thread with the sandbox as a config override and no -C", () => {
    const command = buildCodexCommand(options({ permissionMode: "read-only", resumeSessionId: "01a20d4e-e499-7671-b5d6-0588691007c9" }));
    expect(command.argv).toEqual([
      "/opt/codex",
      "exec",
      "resume",
      "--json",
      "-m",
      "gpt-5.5",
      "-c",
      'sandbox_mode="read-only"',
      "--skip-git-repo-check",
      "01a20d4e-e499-7671-b5d6-0588691007c9",
      "-",
    ]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
  });
});

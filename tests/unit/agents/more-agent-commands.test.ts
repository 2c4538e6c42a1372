import { describe, expect, it } from "vitest";
import { BACKENDS } from "@/lib/enums";
import { MODEL_NAME_PATTERN } from "@/lib/models";
import { buildGeminiCommand } from "@/server/agents/gemini-cli/command";
import { buildOpencodeCommand } from "@/server/agents/opencode/command";
import { buildQwenCommand } from "@/server/agents/qwen-code/command";
import { ADAPTERS } from "@/server/agents/registry";
import type { AgentRunOptions } from "@/server/agents/types";

const options = (overrides: Partial<AgentRunOptions>): AgentRunOptions => ({
  bin: "/opt/agent",
  prompt: "Add a README\nwith two lines",
  cwd: "/srv/tasks/7/worktree",
  model: "fake-model",
  permissionMode: "yolo",
  ...overrides,
});

describe("Gemini CLI command", () => {
  it("runs stream-json headless with -m, the approval mode and the worktree trusted; prompt on stdin", () => {
    const command = buildGeminiCommand(options({ model: "gemini-2.5-flash", permissionMode: "auto_edit" }));
    expect(command.argv).toEqual(["/opt/agent", "-p", "", "-o", "stream-json", "-m", "gemini-2.5-flash", "--approval-mode", "auto_edit", "--skip-trust"]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
    expect(command.env).toEqual({ GEMINI_CLI_TRUST_WORKSPACE: "true", GEMINI_TELEMETRY_ENABLED: "false" });
  });

  it("resumes by session id", () => {
    expect(buildGeminiCommand(options({ resumeSessionId: "f2b6ba9c-b82f-4edb-862d-31d0d6c003f1" })).argv.slice(-2)).toEqual(["--resume", "f2b6ba9c-b82f-4edb-862d-31d0d6c003f1"]);
  });
});

describe("Qwen Code command", () => {
  it("runs one-shot stream-json with the model and approval mode, prompt on stdin, no statistics or title calls", () => {
    const command = buildQwenCommand(options({ permissionMode: "auto-edit" }));
    expect(command.argv).toEqual(["/opt/agent", "-o", "stream-json", "-m", "fake-model", "--approval-mode", "auto-edit"]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
    expect(command.env).toMatchObject({ QWEN_USAGE_STATISTICS_ENABLED: "false", QWEN_TELEMETRY_ENABLED: "false", QWEN_DISABLE_AUTO_TITLE: "1" });
    expect(buildQwenCommand(options({ resumeSessionId: "7e0c9afc" })).argv.slice(-2)).toEqual(["--resume", "7e0c9afc"]);
  });
});

describe("opencode command", () => {
  it.each([
    ["default", []],
    ["auto", ["--auto"]],
    ["plan", ["--agent", "plan"]],
  ] as const)("maps the %s permission mode to its flags", (mode, flags) => {
    const command = buildOpencodeCommand(options({ model: "fake/fake-model", permissionMode: mode }));
    expect(command.argv).toEqual(["/opt/agent", "run", "--format", "json", "-m", "fake/fake-model", ...flags]);
    expect(command.stdin).toBe("Add a README\nwith two lines");
    expect(command.env).toMatchObject({ OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_MODELS_FETCH: "1", PWD: "/srv/tasks/7/worktree" });
  });

  it("continues a session with --session", () => {
    expect(buildOpencodeCommand(options({ resumeSessionId: "ses_dd58" })).argv.slice(-2)).toEqual(["--session", "ses_dd58"]);
  });
});

describe("every adapter", () => {
  it.each([...BACKENDS])("%s describes itself completely and consistently", (backend) => {
    const adapter = ADAPTERS[backend];
    expect(adapter.backend).toBe(backend);
    expect(adapter.label).not.toBe("");
    expect(adapter.binEnvVar).toMatch(/^AI_SLAVE_[A-Z]+_BIN$/);
    expect(adapter.permissionModes).toContain(adapter.defaultPermissionMode);
    expect(adapter.permissionModes).toContain(adapter.readOnlyPermissionMode);
    expect(adapter.models.options.map((option) => option.id)).toContain(adapter.models.default);
    for (const option of adapter.models.options) expect(option.id).toMatch(MODEL_NAME_PATTERN);
    expect(adapter.forwardedEnvPrefixes.length).toBeGreaterThan(0);
    for (const prefix of adapter.forwardedEnvPrefixes) expect(prefix).toMatch(/^[A-Z][A-Z0-9]*_$/);
    for (const name of adapter.pathEnvVars) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it("free-form model names for the backends pointed at the user's own endpoints, like fake/fake-model", () => {
    expect(["gemini_cli", "qwen_code", "opencode"].map((backend) => ADAPTERS[backend as keyof typeof ADAPTERS].models.freeForm)).toEqual([true, true, true]);
    expect("fake/fake-model").toMatch(MODEL_NAME_PATTERN);
  });
});

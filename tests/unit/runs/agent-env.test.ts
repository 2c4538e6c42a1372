import { describe, expect, it } from "vitest";
import { exportableEnv, forwardedEnv } from "@/server/exec/forward-env";

const RULES = {
  prefixes: ["ANTHROPIC_", "CLAUDE_", "OPENAI_", "CODEX_", "DISABLE_"],
  names: ["AI_SLAVE_TASK_ID", "AI_SLAVE_RUN_ID", "CUDA_VISIBLE_DEVICES", "IS_SANDBOX"],
};

describe("the agent's environment on another machine", () => {
  const env = {
    PATH: "/server/bin",
    HOME: "/root",
    TMPDIR: "/srv/tmp",
    ANTHROPIC_API_KEY: "k",
    CLAUDE_CONFIG_DIR: "/c",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CODEX_HOME: "/x",
    OPENAI_BASE_URL: "u",
    DISABLE_AUTOUPDATER: "1",
    IS_SANDBOX: "1",
    AI_SLAVE_TASK_ID: "3",
    AI_SLAVE_RUN_ID: "9",
    AI_SLAVE_ROOT: "/srv/ai-slave",
    CUDA_VISIBLE_DEVICES: "0,1",
    FAKE_OPENAI_API_KEY: "f",
    "NOT A NAME": "x",
    "BASH_FUNC_f%%": "() { :; }",
  };

  it("sends the agents' settings and secrets, the run's ids and GPUs; not PATH, HOME or paths of the server's machine", () => {
    expect(forwardedEnv(env, RULES)).toEqual({
      ANTHROPIC_API_KEY: "k",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      OPENAI_BASE_URL: "u",
      DISABLE_AUTOUPDATER: "1",
      IS_SANDBOX: "1",
      AI_SLAVE_TASK_ID: "3",
      AI_SLAVE_RUN_ID: "9",
      CUDA_VISIBLE_DEVICES: "0,1",
    });
  });

  it("adds the names the user lists, but never a path of the server's machine", () => {
    const forwarded = forwardedEnv(env, { ...RULES, names: [...RULES.names, "FAKE_OPENAI_API_KEY", "HOME", "CLAUDE_CONFIG_DIR"] });
    expect(forwarded).toMatchObject({ FAKE_OPENAI_API_KEY: "f" });
    for (const name of ["HOME", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "TMPDIR", "PATH"]) expect(forwarded).not.toHaveProperty(name);
  });

  it("keeps only names a shell can export", () => {
    expect(Object.keys(exportableEnv(env))).not.toContain("NOT A NAME");
    expect(Object.keys(exportableEnv(env))).not.toContain("BASH_FUNC_f%%");
    expect(exportableEnv(env)).toMatchObject({ PATH: "/server/bin", HOME: "/root" });
  });
});

describe("each agent's variables on a remote workspace (agentEnvironment over an SSH transport's rules)", () => {
  const serverEnv = {
    PATH: "/server/bin",
    PWD: "/srv/ai-slave",
    AI_SLAVE_TOKEN: "secret",
    ANTHROPIC_API_KEY: "a",
    CLAUDE_CONFIG_DIR: "/srv/claude",
    OPENAI_BASE_URL: "http://gw/v1",
    CODEX_HOME: "/srv/codex",
    GEMINI_API_KEY: "g",
    GEMINI_CLI_HOME: "/srv/gemini",
    GOOGLE_GEMINI_BASE_URL: "http://gw",
    GOOGLE_APPLICATION_CREDENTIALS: "/srv/creds.json",
    QWEN_DISABLE_AUTO_TITLE: "1",
    DASHSCOPE_API_KEY: "d",
    OPENCODE_CONFIG_CONTENT: "{}",
    OPENCODE_CONFIG: "/srv/opencode.json",
    OPENROUTER_API_KEY: "o",
    XDG_CONFIG_HOME: "/srv/xdg",
    XDG_DATA_DIRS: "/usr/share",
    FAKE_KEY: "f",
    IS_SANDBOX: "1",
  };
  const task = { id: 7, workspace: { gpuIndices: "[1]" } };
  /** What an SSH workspace's machine gets: the transport's agentEnv is forwardedEnv. */
  const remoteEnv = async (backend: string, adapterEnv: Record<string, string> = {}) => {
    const { agentEnvironment } = await import("@/server/runs/agent-env");
    const saved = { ...process.env };
    Object.assign(process.env, serverEnv);
    try {
      const ctx = { task: { ...task, backend }, run: { id: 9, backend }, transport: { agentEnv: forwardedEnv } } as unknown as Parameters<typeof agentEnvironment>[0];
      return agentEnvironment(ctx, adapterEnv, "FAKE_KEY");
    } finally {
      for (const name of Object.keys(serverEnv)) if (saved[name] === undefined) delete process.env[name];
      Object.assign(process.env, saved);
    }
  };
  const runVars = { AI_SLAVE_TASK_ID: "7", AI_SLAVE_RUN_ID: "9", CUDA_VISIBLE_DEVICES: "1", IS_SANDBOX: "1", FAKE_KEY: "f" };

  it("Gemini CLI gets GEMINI_*/GOOGLE_* and the adapter's own variables, not its config home or another agent's keys", async () => {
    expect(await remoteEnv("gemini_cli", { GEMINI_CLI_TRUST_WORKSPACE: "true" })).toEqual({
      ...runVars, GEMINI_API_KEY: "g", GOOGLE_GEMINI_BASE_URL: "http://gw", GEMINI_CLI_TRUST_WORKSPACE: "true",
    });
  });

  it("Qwen Code gets OPENAI_*/QWEN_*/DASHSCOPE_*", async () => {
    expect(await remoteEnv("qwen_code")).toEqual({ ...runVars, OPENAI_BASE_URL: "http://gw/v1", QWEN_DISABLE_AUTO_TITLE: "1", DASHSCOPE_API_KEY: "d" });
  });

  it("opencode gets its providers' keys and OPENCODE_*, but no config path, XDG dir or PWD of the server's machine", async () => {
    const env = await remoteEnv("opencode", { PWD: "/remote/worktree", OPENCODE_DISABLE_SHARE: "1" });
    expect(env).toEqual({
      ...runVars, ANTHROPIC_API_KEY: "a", OPENAI_BASE_URL: "http://gw/v1", GEMINI_API_KEY: "g", GOOGLE_GEMINI_BASE_URL: "http://gw",
      OPENCODE_CONFIG_CONTENT: "{}", OPENCODE_DISABLE_SHARE: "1", OPENROUTER_API_KEY: "o",
    });
  });

  it("Claude Code and Codex keep their own lists; no agent gets the server's token", async () => {
    expect(await remoteEnv("claude_code")).toEqual({ ...runVars, ANTHROPIC_API_KEY: "a" });
    expect(await remoteEnv("codex_cli")).toEqual({ ...runVars, OPENAI_BASE_URL: "http://gw/v1" });
  });

  it("on this machine the agent gets the server's environment less its token and working directory", async () => {
    const { agentEnvironment } = await import("@/server/runs/agent-env");
    process.env.AI_SLAVE_TOKEN = "secret";
    try {
      const ctx = { task: { ...task, backend: "opencode" }, run: { id: 9, backend: "opencode" }, transport: { agentEnv: exportableEnv } } as unknown as Parameters<typeof agentEnvironment>[0];
      const env = agentEnvironment(ctx, {}, "");
      expect(env).not.toHaveProperty("AI_SLAVE_TOKEN");
      expect(env).not.toHaveProperty("PWD");
      expect(env).toMatchObject({ PATH: process.env.PATH, AI_SLAVE_TASK_ID: "7" });
    } finally {
      delete process.env.AI_SLAVE_TOKEN;
    }
  });
});

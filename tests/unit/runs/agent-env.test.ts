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

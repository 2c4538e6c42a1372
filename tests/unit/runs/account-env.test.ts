import { describe, expect, it } from "vitest";
import { forwardedEnv } from "@/server/exec/forward-env";
import { accountEnvironment, agentEnvironment } from "@/server/runs/agent-env";

const account = { id: 3, label: "work", configDir: "/home/dev/.claude-work", env: { CLAUDE_CODE_OAUTH_TOKEN: "WORK_TOKEN", ANTHROPIC_API_KEY: "NOT_SET_HERE" } };

describe("a run's account in the agent's environment", () => {
  it("sets the adapter's config variable and each mapped variable from the server's environment, naming the missing ones", () => {
    expect(accountEnvironment(account, "CLAUDE_CONFIG_DIR", { WORK_TOKEN: "tok" })).toEqual({
      env: { CLAUDE_CONFIG_DIR: "/home/dev/.claude-work", CLAUDE_CODE_OAUTH_TOKEN: "tok" },
      missing: ["NOT_SET_HERE"],
    });
    expect(accountEnvironment(account, undefined, {}).env).toEqual({});
    expect(accountEnvironment(null, "CLAUDE_CONFIG_DIR")).toEqual({ env: {}, missing: [] });
  });

  it("travels to a remote host, config home included, where the server's own CLAUDE_CONFIG_DIR does not", () => {
    const saved = { ...process.env };
    Object.assign(process.env, { WORK_TOKEN: "tok", CLAUDE_CONFIG_DIR: "/root/.claude", ANTHROPIC_BASE_URL: "http://x" });
    try {
      const ctx = { task: { id: 7, backend: "claude_code", workspace: { gpuIndices: "[]" } }, run: { id: 9, backend: "claude_code" }, transport: { agentEnv: forwardedEnv } };
      const plain = agentEnvironment(ctx as unknown as Parameters<typeof agentEnvironment>[0], {}, "");
      expect(plain).not.toHaveProperty("CLAUDE_CONFIG_DIR");
      expect(plain).not.toHaveProperty("CLAUDE_CODE_OAUTH_TOKEN");
      const withAccount = agentEnvironment({ ...ctx, account } as unknown as Parameters<typeof agentEnvironment>[0], {}, "");
      expect(withAccount).toMatchObject({ CLAUDE_CONFIG_DIR: "/home/dev/.claude-work", CLAUDE_CODE_OAUTH_TOKEN: "tok", ANTHROPIC_BASE_URL: "http://x" });
      expect(Object.values(withAccount)).not.toContain("WORK_TOKEN");
    } finally {
      for (const name of ["WORK_TOKEN", "CLAUDE_CONFIG_DIR", "ANTHROPIC_BASE_URL"]) if (saved[name] === undefined) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("a task that asked for GPUs gets those it was given as CUDA_VISIBLE_DEVICES, not the workspace's list", () => {
    const base = { run: { id: 9, backend: "claude_code" }, transport: { agentEnv: forwardedEnv } };
    const given = { ...base, task: { id: 7, backend: "claude_code", gpus: 2, gpuIndices: "[3,5]", workspace: { gpuIndices: "[0,1,2,3,4,5]" } } };
    expect(agentEnvironment(given as unknown as Parameters<typeof agentEnvironment>[0], {}, "").CUDA_VISIBLE_DEVICES).toBe("3,5");
    const fixed = { ...base, task: { id: 7, backend: "claude_code", gpus: 0, gpuIndices: "[]", workspace: { gpuIndices: "[1]" } } };
    expect(agentEnvironment(fixed as unknown as Parameters<typeof agentEnvironment>[0], {}, "").CUDA_VISIBLE_DEVICES).toBe("1");
  });
});

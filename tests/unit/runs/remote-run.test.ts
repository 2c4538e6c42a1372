import { describe, expect, it } from "vitest";
import { remoteAgentEnv, remoteLogPath, taskSessionName } from "@/server/runs/remote-run";

describe("remote runs", () => {
  it("sends the agents' settings, the run's ids and GPUs to the remote host, not the server's PATH or HOME", () => {
    const env = {
      PATH: "/server/bin",
      HOME: "/root",
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
    };
    expect(remoteAgentEnv(env, "")).toEqual({
      ANTHROPIC_API_KEY: "k",
      CLAUDE_CONFIG_DIR: "/c",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CODEX_HOME: "/x",
      OPENAI_BASE_URL: "u",
      DISABLE_AUTOUPDATER: "1",
      IS_SANDBOX: "1",
      AI_SLAVE_TASK_ID: "3",
      AI_SLAVE_RUN_ID: "9",
      CUDA_VISIBLE_DEVICES: "0,1",
    });
    expect(remoteAgentEnv(env, "FAKE_OPENAI_API_KEY, HOME")).toMatchObject({ FAKE_OPENAI_API_KEY: "f", HOME: "/root" });
  });

  it("names the task's tmux session and puts the run's log beside the worktree", () => {
    expect(taskSessionName(12)).toBe("ai-slave-task-12");
    expect(remoteLogPath("/home/u/proj-task-12", 12, 40)).toBe("/home/u/.ai-slave/task-12/run-40.log");
  });
});

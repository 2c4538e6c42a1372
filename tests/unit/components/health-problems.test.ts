import { describe, expect, it } from "vitest";
import { healthProblems } from "@/components/tasks/workspace-health-warning";

const healthy = { reachable: true, error: null, hostKey: null, isGitRepo: true, baseBranch: "main", tmux: "3.3a", freeDiskBytes: 1, agents: { claude_code: { available: true, version: "2" }, codex_cli: { available: false, version: null }, gemini_cli: { available: false, version: null }, qwen_code: { available: false, version: null }, opencode: { available: false, version: null } } };

describe("healthProblems", () => {
  it("says nothing about a healthy workspace", () => {
    expect(healthProblems(healthy, "claude_code")).toEqual([]);
  });
  it("names an unreachable host, a missing repository and a missing agent", () => {
    expect(healthProblems({ ...healthy, reachable: false, error: "connect ECONNREFUSED" }, "claude_code")).toEqual(["The workspace cannot be reached: connect ECONNREFUSED"]);
    expect(healthProblems({ ...healthy, isGitRepo: false }, "codex_cli")).toEqual(["Its path is not a git repository.", "Codex CLI is not installed there."]);
  });
});

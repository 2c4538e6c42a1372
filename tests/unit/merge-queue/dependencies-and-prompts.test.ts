import { describe, expect, it } from "vitest";
import { conflictLeftReason, resolvePrompt } from "@/server/merge-queue/prompts";
import { dependencyWait, startBranchOf } from "@/server/scheduler/dependencies";

const parent = (id: number, status: string, merged = false) => ({ id, number: id + 10, status, merged });

describe("dependencyWait", () => {
  it("merged mode waits until every parent merged, naming the first that has not", () => {
    expect(dependencyWait("merged", [1, 2], [parent(1, "DONE", true), parent(2, "DONE")])).toBe("waiting for #12 to merge");
    expect(dependencyWait("merged", [1, 2], [parent(1, "DONE", true), parent(2, "DONE", true)])).toBeNull();
  });

  it("done mode starts once the parent is DONE (or merged)", () => {
    expect(dependencyWait("done", [1], [parent(1, "RUNNING")])).toBe("waiting for #11 to be done");
    expect(dependencyWait("done", [1], [parent(1, "DONE")])).toBeNull();
  });

  it("a failed or deleted parent keeps the task waiting, saying so", () => {
    expect(dependencyWait("merged", [1], [parent(1, "FAILED")])).toBe("waiting for #11 to merge; it failed: retry it or remove the dependency.");
    expect(dependencyWait("merged", [7], [])).toBe("waiting for task 7 to merge; it was deleted: remove the dependency to start.");
  });

  it("a stacked task starts from its parent's branch, any other from the base", () => {
    expect(startBranchOf({ dependsOn: "[4]", dependencyMode: "done" }, "main")).toBe("task-4");
    expect(startBranchOf({ dependsOn: "[4]", dependencyMode: "merged" }, "main")).toBe("main");
    expect(startBranchOf({ dependsOn: "[]", dependencyMode: "merged" }, "main")).toBe("main");
  });
});

describe("merge queue prompts", () => {
  it("the resolver's prompt names the base commit, the stopped commit and each file", () => {
    const prompt = resolvePrompt({ branch: "task-3", baseBranch: "main", baseSha: "0123456789abcdef0123", files: ["src/a.ts", "b.md"], commit: "abc1234 add a" });
    expect(prompt).toContain("up to date with main (commit 0123456789ab)");
    expect(prompt).toContain("your commit abc1234 add a");
    expect(prompt).toContain("- `src/a.ts`\n- `b.md`");
    expect(prompt).toContain("do not run git");
  });

  it("a conflict without autoResolve says what was aborted and what to do", () => {
    expect(conflictLeftReason({ branch: "task-3", baseBranch: "main", files: ["a", "b"], why: "no-auto-resolve" })).toBe(
      "Bringing task-3 up to date with main conflicts in a, b; the update was aborted and the branch is as it was. Resolve it on task-3, then queue the task again.",
    );
  });
});

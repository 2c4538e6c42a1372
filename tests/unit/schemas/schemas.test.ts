import { describe, expect, it } from "vitest";
import { taskCreateSchema, taskUpdateSchema } from "@/lib/schemas/task";
import { workspaceCreateSchema, workspaceUpdateSchema } from "@/lib/schemas/workspace";
import { titleFromPrompt } from "@/server/tasks/service";

describe("workspace schemas", () => {
  it("fills the defaults of a local workspace", () => {
    expect(workspaceCreateSchema.parse({ name: " demo ", path: "/srv/repo" })).toMatchObject({
      name: "demo", type: "local", loginShell: "bash", concurrencyLimit: 2, gpuIndices: [], notes: "", taskTimeoutSec: 7200,
    });
  });

  it("asks remote workspaces for their host and container", () => {
    expect(workspaceCreateSchema.safeParse({ name: "r", path: "/srv/repo", type: "ssh", host: "gpu1" }).success).toBe(true);
    const container = workspaceCreateSchema.safeParse({ name: "c", path: "/srv/repo", type: "ssh_container", host: "gpu1" });
    expect(container.success).toBe(false);
    expect(container.error?.issues[0]?.path).toEqual(["containerName"]);
  });

  it("refuses shell metacharacters in host, user and container names", () => {
    for (const field of [{ host: "gpu1;reboot" }, { user: "root$(id)" }, { containerName: "c`x`" }]) {
      expect(workspaceCreateSchema.safeParse({ name: "r", path: "/srv", type: "ssh_container", host: "h", containerName: "c", ...field }).success).toBe(false);
    }
  });

  it("does not let an update change the type", () => {
    expect(workspaceUpdateSchema.safeParse({ type: "ssh" }).success).toBe(false);
    expect(workspaceUpdateSchema.safeParse({ baseBranch: "bad..branch" }).success).toBe(false);
    expect(workspaceUpdateSchema.parse({ baseBranch: "feature/x" })).toEqual({ baseBranch: "feature/x" });
  });
});

describe("task schemas", () => {
  it("accepts the new backends and leaves the permission mode to the backend's adapter", () => {
    for (const backend of ["gemini_cli", "qwen_code", "opencode"]) {
      expect(taskCreateSchema.safeParse({ prompt: "x", workspaceId: 1, backend, model: "fake/fake-model" }).success).toBe(true);
    }
    expect(taskCreateSchema.safeParse({ prompt: "x", workspaceId: 1, backend: "aider" }).success).toBe(false);
    // Checked by createTask against the adapter: tests/integration/api/tasks-api.test.ts.
    expect(taskCreateSchema.safeParse({ prompt: "x", workspaceId: 1, backend: "codex_cli", permissionMode: "plan" }).success).toBe(true);
  });

  it("measures the 100 KB limit in bytes, not characters", () => {
    expect(taskCreateSchema.safeParse({ prompt: "a".repeat(100 * 1024), workspaceId: 1, backend: "claude_code" }).success).toBe(true);
    expect(taskCreateSchema.safeParse({ prompt: "€".repeat(35_000), workspaceId: 1, backend: "claude_code" }).success).toBe(false);
  });

  it("an update needs something to change", () => {
    expect(taskUpdateSchema.safeParse({}).success).toBe(false);
  });

  it("derives a title from the first non-empty line", () => {
    expect(titleFromPrompt("\n\n  Fix the login bug  \nin detail")).toBe("Fix the login bug");
    expect(titleFromPrompt("x".repeat(120))).toHaveLength(80);
  });
});

describe("cursors", () => {
  it("refuse ids too large for the database's integers (a 500 the fuzz test found)", async () => {
    const { taskListQuerySchema } = await import("@/lib/schemas/task");
    const { taskLogStreamQuerySchema } = await import("@/lib/schemas/logs");
    expect(taskListQuerySchema.safeParse({ cursor: "123" }).success).toBe(true);
    expect(taskListQuerySchema.safeParse({ cursor: "9".repeat(40) }).success).toBe(false);
    expect(taskLogStreamQuerySchema.safeParse({ after: "12:end" }).success).toBe(true);
    expect(taskLogStreamQuerySchema.safeParse({ after: `${"9".repeat(40)}:1` }).success).toBe(false);
  });
});

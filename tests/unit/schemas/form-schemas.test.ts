import { describe, expect, it } from "vitest";
import { EMPTY_WORKSPACE_FORM, workspaceCreateFormSchema, workspaceEditFormSchema } from "@/components/workspaces/workspace-form-state";
import { OTHER_MODEL, taskFormSchema } from "@/lib/schemas/task";

const issues = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join("."), issue.message]));

describe("the new-task form's schema", () => {
  const values = { workspaceId: 3, title: "  ", backend: "claude_code" as const, model: "opus", customModel: "", permissionMode: "acceptEdits", prompt: "Fix it", reviewer: "", reviewModel: "", parents: [] as string[], dependencyMode: "merged" as const };

  it("builds the request body taskCreateSchema accepts", () => {
    expect(taskFormSchema.parse(values)).toEqual({ workspaceId: 3, backend: "claude_code", model: "opus", permissionMode: "acceptEdits", prompt: "Fix it" });
    expect(taskFormSchema.parse({ ...values, title: " T ", model: OTHER_MODEL, customModel: " claude-x " })).toMatchObject({ title: "T", model: "claude-x" });
    // The reviewer: the workspace's (nothing sent), none (null), or a backend with its model.
    expect(taskFormSchema.parse({ ...values, reviewer: "none", reviewModel: "x" })).toMatchObject({ reviewBackend: null });
    expect(taskFormSchema.parse({ ...values, parents: ["4", "9"] })).toMatchObject({ dependsOn: [4, 9], dependencyMode: "merged" });
    expect(taskFormSchema.parse({ ...values, parents: ["4"], dependencyMode: "done" })).toMatchObject({ dependsOn: [4], dependencyMode: "done" });
    expect(taskFormSchema.parse({ ...values, reviewer: "none" })).not.toHaveProperty("reviewModel");
    expect(taskFormSchema.parse({ ...values, reviewer: "codex_cli", reviewModel: " gpt-5.5 " })).toMatchObject({ reviewBackend: "codex_cli", reviewModel: "gpt-5.5" });
    // A pool instead of the workspace: only poolId is sent (the server takes exactly one).
    expect(taskFormSchema.parse({ ...values, poolId: 2 })).toEqual({ poolId: 2, backend: "claude_code", model: "opus", permissionMode: "acceptEdits", prompt: "Fix it" });
    expect(taskFormSchema.parse({ ...values, poolId: 0 })).toEqual(taskFormSchema.parse(values));
    // A fallback agent and GPUs only when chosen.
    expect(taskFormSchema.parse({ ...values, fallbackBackend: "", gpus: "0" })).toEqual(taskFormSchema.parse(values));
    expect(taskFormSchema.parse({ ...values, fallbackBackend: "codex_cli", gpus: "2" })).toMatchObject({ fallbackBackend: "codex_cli", gpus: 2 });
    expect(issues(taskFormSchema.safeParse({ ...values, fallbackBackend: "claude_code" }))).toEqual({ fallbackBackend: "The fallback backend must differ from the task's backend." });
    expect(issues(taskFormSchema.safeParse({ ...values, gpus: "1.5" }))).toEqual({ gpus: "Invalid input: expected int, received number" });
  });

  it("refuses what the API refuses, under the form's field names", () => {
    const result = taskFormSchema.safeParse({ ...values, workspaceId: 0, prompt: "  ", model: OTHER_MODEL, customModel: "a b" });
    expect(issues(result)).toEqual({
      workspaceId: "Choose a workspace.",
      prompt: "The prompt is empty.",
      model: "Not a valid model name.",
    });
    expect(issues(taskFormSchema.safeParse({ ...values, model: OTHER_MODEL, customModel: "  " }))).toEqual({ model: "Not a valid model name." });
  });

  it("leaves out a model and permission mode not chosen yet, so the server's defaults apply", () => {
    expect(taskFormSchema.parse({ ...values, model: "", permissionMode: "" })).toEqual({ workspaceId: 3, backend: "claude_code", prompt: "Fix it" });
  });
});

describe("the workspace forms' schemas", () => {
  it("turn the text fields into a create body, checked by workspaceCreateSchema", () => {
    const body = workspaceCreateFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, name: " w ", path: "/srv/repo", gpuIndices: "0, 1,1", timeoutMinutes: "30" });
    expect(body).toMatchObject({ name: "w", type: "local", path: "/srv/repo", gpuIndices: [0, 1], concurrencyLimit: 2, taskTimeoutSec: 1800, agentMcp: false, maxSubtasks: 10 });
    expect(workspaceCreateFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv", agentMcp: true, maxSubtasks: "3" })).toMatchObject({ agentMcp: true, maxSubtasks: 3 });
    expect(workspaceCreateFormSchema.safeParse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv", maxSubtasks: "101" }).error?.issues.map((issue) => issue.path.join("."))).toEqual(["maxSubtasks"]);
    expect(workspaceCreateFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv" })).toMatchObject({ minFreeMemoryMb: 2048 });
    expect(workspaceCreateFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv", minFreeMemoryMb: "0" })).toMatchObject({ minFreeMemoryMb: 0 });
    expect(workspaceCreateFormSchema.safeParse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv", minFreeMemoryMb: "-1" }).error?.issues.map((issue) => issue.path.join("."))).toEqual(["minFreeMemoryMb"]);
    expect(body).not.toHaveProperty("host");
  });

  it("report the form's own checks first, then the API schema's", () => {
    const numbers = workspaceCreateFormSchema.safeParse({ ...EMPTY_WORKSPACE_FORM, type: "ssh", name: "w", path: "/srv", gpuIndices: "x", concurrencyLimit: "0", port: "99999" });
    expect(Object.keys(issues(numbers)).sort()).toEqual(["concurrencyLimit", "gpuIndices", "port"]);
    const api = workspaceCreateFormSchema.safeParse({ ...EMPTY_WORKSPACE_FORM, type: "ssh_container", name: "w", path: "relative", host: "" });
    expect(issues(api)).toMatchObject({ path: "Must be an absolute path.", host: "A ssh_container workspace needs a host.", containerName: "An ssh_container workspace needs a container name." });
  });

  it("carry the setup script, check, rounds and reviewer; no reviewer and empty scripts mean none", () => {
    const body = workspaceCreateFormSchema.parse({
      ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv/repo", setupScript: "npm ci", checkCommand: "npm test", checkTimeoutMinutes: "10",
      fixRounds: "0", reviewBackend: "codex_cli", reviewModel: "gpt-5.5", reviewRounds: "3",
    });
    expect(body).toMatchObject({ setupScript: "npm ci", checkCommand: "npm test", checkTimeoutSec: 600, setupTimeoutSec: 900, fixRounds: 0, reviewBackend: "codex_cli", reviewModel: "gpt-5.5", reviewRounds: 3 });
    const none = workspaceEditFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv/repo", checkCommand: "  ", reviewModel: "ignored" });
    expect(none).toMatchObject({ setupScript: null, checkCommand: null, reviewBackend: null, reviewModel: null });
    const bad = workspaceCreateFormSchema.safeParse({ ...EMPTY_WORKSPACE_FORM, name: "w", path: "/srv", fixRounds: "6", reviewRounds: "0", checkTimeoutMinutes: "0" });
    expect(Object.keys(issues(bad)).sort()).toEqual(["checkTimeoutSec", "fixRounds", "reviewRounds"]);
  });

  it("send cleared optional fields of an edit as null and never the type", () => {
    const body = workspaceEditFormSchema.parse({ ...EMPTY_WORKSPACE_FORM, type: "ssh", name: "w", path: "/srv", host: "gpu1", port: "", user: "" });
    expect(body).toMatchObject({ host: "gpu1", port: null, user: null, identityFile: null, worktreeRoot: null });
    expect(body).not.toHaveProperty("type");
  });
});

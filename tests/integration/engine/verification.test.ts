import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { createTask, createWorkspace, getTask, logText, runsOf, startEngine, stopEngine, waitForStatus } from "../helpers/engine";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * Verified results with the REAL Claude Code and Codex CLIs against the fake model server: the
 * workspace's setup script and check, fix rounds that carry the check's output, a Codex review of
 * Claude's work with a fix round for its findings, a reviewer answer that is not JSON, denied edits.
 */

let testDb: TestDb;
let server: FakeModelServer;
let agentEnv: AgentTestEnv;

beforeAll(async () => {
  testDb = await useTestDatabase();
  server = await startFakeModelServer();
  agentEnv = agentTestEnv(server.url);
  Object.assign(process.env, agentEnv.env, { AI_SLAVE_RETRY_DELAYS: "0.2,0.2,0.2", AI_SLAVE_CANCEL_GRACE_MS: "1500" });
  (await import("@/server/config")).resetConfigForTests();
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await server.close();
  agentEnv.cleanup();
  await testDb.cleanup();
});

/** A repository whose `.tools/` (what the setup script installs) is ignored, as node_modules would be. */
function repoWithIgnoredTools(name: string): string {
  const repo = makeGitRepo(testDb.dir, name);
  fs.writeFileSync(path.join(repo, ".gitignore"), ".tools/\n");
  git(repo, "add", ".gitignore");
  git(repo, "commit", "-q", "-m", "ignore tools");
  return repo;
}

// The setup script installs the checker the check command runs; the checker wants check-fix.txt,
// which only the fix round's follow-up (carrying the checker's output) makes the model write.
const SETUP = [
  "mkdir -p .tools",
  "echo ran >> \"$SETUP_COUNT\"",
  "printf '%s\\n' '#!/bin/sh' 'test -f check-fix.txt && echo all good && exit 0' 'echo \"check: missing FILE:check-fix.txt\"; exit 3' > .tools/verify",
  "chmod +x .tools/verify",
].join("\n");

describe("setup script and check", () => {
  it("setup runs once in the new worktree; a failing check gets a fix round carrying its output, then passes", async () => {
    const repo = repoWithIgnoredTools("checked");
    const counter = path.join(testDb.dir, "setup-count");
    process.env.SETUP_COUNT = counter;
    const workspaceId = await createWorkspace(repo, { setupScript: SETUP, checkCommand: ".tools/verify", fixRounds: 2 });
    const id = await createTask({ prompt: "Create the file. FILE:hello.txt", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    expect([task.status, task.failureReason, task.checkState, task.reviewState]).toEqual(["DONE", null, "PASSED", "NONE"]);
    expect(fs.readFileSync(counter, "utf8")).toBe("ran\n");

    const runs = await runsOf(id);
    expect(runs.map((run) => [run.kind, run.status, run.checkState, run.cause])).toEqual([
      ["initial", "DONE", "FAILED", null],
      ["fix", "DONE", "PASSED", "check"],
    ]);
    expect(runs[0]!.checkExitCode).toBe(3);
    expect(runs[0]!.checkOutputTail).toContain("check: missing FILE:check-fix.txt");
    expect(runs[0]!.checkDurationMs).toBeGreaterThanOrEqual(0);
    // The fix round resumed the same session with the check's command and output.
    expect(runs[1]!.resumeSessionId).toBe(runs[0]!.sessionId);
    expect(runs[1]!.prompt).toContain("`.tools/verify` failed with exit code 3");
    expect(runs[1]!.prompt).toContain("check: missing FILE:check-fix.txt");
    expect(git(repo, "show", `task-${id}:check-fix.txt`)).toContain("hello from fake model");
    expect(git(repo, "show", `task-${id}:hello.txt`)).toContain("hello from fake model");
    // Setup and check are phases of the run log, with their exit codes.
    const events = JSON.parse(await logText(runs[0]!.id)) as { kind: string; phase?: string; status?: string; exitCode?: number; command?: string; line?: string }[];
    const phases = events.filter((event) => event.kind === "phase").map((event) => [event.phase, event.status, event.exitCode]);
    expect(phases).toEqual([["setup", "running", null], ["setup", "passed", 0], ["check", "running", null], ["check", "failed", 3]]);
    expect(events.find((event) => event.kind === "phase")!.command).toBe(SETUP);
    expect(events.filter((event) => event.kind === "phase_output").map((event) => [event.phase, event.line])).toEqual([["check", "check: missing FILE:check-fix.txt"]]);
    // The fix round's own log has no setup: it ran once for the worktree.
    expect(JSON.parse(await logText(runs[1]!.id)).filter((event: { kind: string; phase?: string }) => event.kind === "phase").map((event: { phase?: string }) => event.phase)).toEqual(["check", "check"]);
  }, 180_000);

  it("a check still failing after the last fix round leaves the task DONE with its check FAILED", async () => {
    const repo = repoWithIgnoredTools("always-failing");
    // The check writes a report that .gitignore does not cover.
    const workspaceId = await createWorkspace(repo, { checkCommand: "echo nope; echo nope > check-report.txt; exit 1", fixRounds: 1 });
    const id = await createTask({ prompt: "Create the file. FILE:a.txt", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    expect([task.status, task.checkState]).toEqual(["DONE", "FAILED"]);
    const runs = await runsOf(id);
    expect(runs.map((run) => [run.kind, run.checkState])).toEqual([["initial", "FAILED"], ["fix", "FAILED"]]);
    // The fix run committed what its agent left, not the first check's report, which stays in the worktree.
    expect(git(repo, "ls-tree", "-r", "--name-only", `task-${id}`).trim().split("\n").sort()).toEqual([".gitignore", "README.md", "a.txt"]);
    expect(fs.readFileSync(path.join(task.worktreePath!, "check-report.txt"), "utf8")).toBe("nope\n");
    expect(await logText(runs[0]!.id)).toContain("The check made check-report.txt, which .gitignore does not cover: kept out of the task's commits");
  }, 180_000);

  it("a failing setup script ends the run FAILED with class SETUP and the output's tail in the reason", async () => {
    const repo = repoWithIgnoredTools("bad-setup");
    const workspaceId = await createWorkspace(repo, { setupScript: "echo installing; echo 'E: package not found' >&2; exit 7" });
    const id = await createTask({ prompt: "Create the file. FILE:a.txt", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 60_000);
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toContain("exit code 7");
    expect(task.failureReason).toContain("E: package not found");
    const [run] = await runsOf(id);
    expect([run!.errorClass, run!.sessionId]).toEqual(["SETUP", null]);
    expect((await getTask(id)).setupDone).toBe(false);
  }, 90_000);
});

describe("AI review by a second agent", () => {
  it("Codex reviews Claude's work: changes requested once at a real line, fixed, approved the second time", async () => {
    const repo = makeGitRepo(testDb.dir, "reviewed");
    const workspaceId = await createWorkspace(repo, { reviewBackend: "codex_cli", reviewModel: "gpt-5.5", reviewRounds: 2 });
    const id = await createTask({ prompt: "Create the file. FILE:feature.txt REVIEW_PLAN:changes,approve", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 180_000);
    expect([task.status, task.failureReason, task.reviewState, task.reviewedBy, task.reviewBackend]).toEqual(["DONE", null, "APPROVED", "agent", "codex_cli"]);

    const runs = await runsOf(id);
    expect(runs.map((run) => [run.kind, run.backend, run.status])).toEqual([
      ["initial", "claude_code", "DONE"],
      ["review", "codex_cli", "DONE"],
      ["fix", "claude_code", "DONE"],
      ["review", "codex_cli", "DONE"],
    ]);
    const [work, firstReview, fix, secondReview] = runs;
    expect(firstReview!.model).toBe("gpt-5.5");
    expect(firstReview!.reviewVerdict).toBe("request_changes");
    expect(JSON.parse(firstReview!.reviewFindings!)).toEqual([{ file: "feature.txt", line: 1, severity: "major", comment: "Also write the follow-up file FILE:review-fix.txt" }]);
    // Codex was given the answer's JSON Schema (its --output-schema): the request asks for it.
    const reviewRequest = server.requests.find((request) => request.api === "openai" && JSON.stringify(request.body).includes("You are reviewing"));
    expect(JSON.stringify((reviewRequest!.body as { text?: unknown }).text)).toContain('"request_changes"');
    // The reviewer saw the branch's diff and read it in Codex's read-only sandbox.
    expect(firstReview!.prompt).toContain("+hello from fake model");
    expect(await logText(firstReview!.id)).not.toContain('"kind":"tool_call"');
    // The fix round resumed Claude's session with the findings.
    expect(fix!.resumeSessionId).toBe(work!.sessionId);
    expect(fix!.cause).toBe("review");
    expect(fix!.prompt).toContain("- feature.txt:1 (major): Also write the follow-up file FILE:review-fix.txt");
    expect(git(repo, "show", `task-${id}:review-fix.txt`)).toContain("hello from fake model");
    expect(secondReview!.reviewVerdict).toBe("approve");
    expect(secondReview!.prompt).toContain("review round 2 of 2");
    expect(secondReview!.prompt).toContain("+++ b/review-fix.txt");
    // The finding is kept as the reviewer's comment at its line.
    const { db } = await import("@/server/db/client");
    const comments = await db().reviewComment.findMany({ where: { taskId: id } });
    expect(comments.map((comment) => [comment.author, comment.file, comment.startLine, comment.severity, comment.runId])).toEqual([["agent", "feature.txt", 1, "major", firstReview!.id]]);
  }, 300_000);

  it("a reviewer's answer that is not JSON makes the review ERROR with the text kept; the work stays DONE", async () => {
    const repo = makeGitRepo(testDb.dir, "garbage-review");
    const workspaceId = await createWorkspace(repo);
    const id = await createTask({ prompt: "Create the file. FILE:x.txt REVIEW_PLAN:garbage", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5", reviewBackend: "claude_code", reviewModel: "claude-opus-4-5" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 120_000);
    expect([task.status, task.reviewState, task.reviewModel]).toEqual(["DONE", "ERROR", "claude-opus-4-5"]);
    const runs = await runsOf(id);
    expect(runs.map((run) => [run.kind, run.status, run.model])).toEqual([["initial", "DONE", "claude-sonnet-4-5"], ["review", "DONE", "claude-opus-4-5"]]);
    expect(runs[1]!.reviewVerdict).toBeNull();
    expect(runs[1]!.reviewRaw).toBe("Looks fine to me, ship it.");
    expect(await logText(runs[1]!.id)).toContain("could not be read");
  }, 180_000);
});

describe("denied tool calls", () => {
  it("a run whose every edit was denied and that changed nothing ends FAILED with the denials as its reason", async () => {
    const repo = makeGitRepo(testDb.dir, "denied");
    const workspaceId = await createWorkspace(repo);
    const id = await createTask({ prompt: "Create the file. FILE:denied.txt", workspaceId, backend: "claude_code", model: "claude-sonnet-4-5", permissionMode: "default" });
    const task = await waitForStatus(id, ["DONE", "FAILED"], 90_000);
    expect(task.status).toBe("FAILED");
    expect(task.failureReason).toContain("Every edit was denied");
    expect(task.failureReason).toContain("denied.txt");
    expect(JSON.parse(task.permissionDenials)).toHaveLength(1);
    const [run] = await runsOf(id);
    expect([run!.status, run!.errorClass]).toEqual(["FAILED", "TOOL"]);
    expect(git(repo, "rev-parse", `task-${id}`)).toBe(git(repo, "rev-parse", "main"));
  }, 120_000);
});

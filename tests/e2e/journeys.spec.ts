import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";
import { apiTask, apiWorkspace, card, expectAccessible, gitIn, makeRepo, screenshot, waitForTaskStatus } from "./helpers";

// Serial: the first journey fills the queue the next ones expect empty. axe-core adds seconds per page.
test.describe.configure({ mode: "serial", timeout: 180_000 });

test("home -> create a workspace and a task through the UI -> the task waits in TODO", async ({ page, request }) => {
  await page.goto("/");
  await screenshot(page, "home");
  await expectAccessible(page, "home");
  await page.getByRole("link", { name: /workspace/i }).first().click();
  await expect(page).toHaveURL(/\/workspaces\/new/);
  const repo = makeRepo("smoke");
  await page.getByLabel("Name").fill(`smoke-${Date.now()}`);
  await page.getByLabel("Repository path").fill(repo);
  await page.getByLabel("Concurrency limit").fill("1");
  await screenshot(page, "workspace-new");
  await expectAccessible(page, "new workspace");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/workspaces\/\d+\/board/);
  const workspaceId = Number(/workspaces\/(\d+)/.exec(page.url())![1]);

  // The only slot is taken by a long task, so the next one stays queued.
  const blocker = await apiTask(request, workspaceId, "NO_TOOL SLEEP:60000");
  await expect(card(page, blocker.id)).toHaveAttribute("data-status", "RUNNING");

  await page.goto(`/tasks/new?workspaceId=${workspaceId}`);
  await page.getByLabel("Prompt").fill("NO_TOOL Write the changelog entry");
  await screenshot(page, "task-new");
  await expectAccessible(page, "new task");
  await page.getByRole("button", { name: "Queue task" }).click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${workspaceId}/board`));
  const queued = page.getByTestId("column-TODO").getByTestId("task-card").filter({ hasText: "Write the changelog entry" });
  await expect(queued).toBeVisible();
  await screenshot(page, "board-queued");
  await expectAccessible(page, "board");

  // Cancelling the running task from its card frees the slot and the queued one runs.
  await card(page, blocker.id).getByRole("button", { name: /cancel task/i }).click();
  await page.getByRole("button", { name: "Stop the agent" }).click();
  await expect(page.getByTestId("column-FAILED").locator(`[data-task-id="${blocker.id}"]`)).toBeVisible();
  await expect(page.getByTestId("column-DONE").getByTestId("task-card").filter({ hasText: "Write the changelog entry" })).toBeVisible({ timeout: 30_000 });
});

test("a task runs live, ends DONE, its diff is reviewed and merged", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "journey");
  const task = await apiTask(request, workspace.id, "Create the greeting. FILE:greeting.txt SLEEP:5000");
  await page.goto(`/tasks/${task.id}`);
  const log = page.getByTestId("log-stream");
  await expect(log).toBeVisible();
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", "RUNNING", { timeout: 15_000 });
  // The model's tool call and answer appear while the run goes on, then the task is DONE.
  await expect(log.locator('[data-testid="log-event"][data-kind="tool_call"]').first()).toBeVisible({ timeout: 30_000 });
  // Seen while the run is still going (the model answers slowly): live, not a replay afterwards.
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", "RUNNING");
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", "DONE", { timeout: 30_000 });
  await expect(log.locator('[data-testid="log-event"][data-kind="assistant"]').first()).toBeVisible();
  await screenshot(page, "task-done-log");
  await expectAccessible(page, "task log");

  await page.getByRole("tab", { name: "Diff" }).click();
  await expect(page.locator('[data-testid="diff-file"][data-path="greeting.txt"]')).toBeVisible();
  await expect(page.getByTestId("diff-view")).toContainText("hello from fake model");
  await screenshot(page, "task-diff");
  await expectAccessible(page, "task diff");

  // A note written in the worktree by hand and never committed: the merge stashes it and says so.
  const { worktreePath } = (await (await request.get(`/api/tasks/${task.id}`)).json()) as { worktreePath: string };
  fs.writeFileSync(path.join(worktreePath, "NOTES.md"), "try a warmer greeting\n");
  await page.getByTestId("task-action-merge").click();
  await page.getByRole("button", { name: "Merge", exact: true }).last().click();
  await expect(page.getByTestId("merge-result")).toHaveAttribute("data-kind", "fast-forward");
  await expect(page.getByTestId("merge-stashed")).toContainText("NOTES.md");
  await expect(page.getByTestId("merged-badge").first()).toBeVisible();
  expect(gitIn(workspace.path, "show", "main:greeting.txt")).toContain("hello from fake model");
  expect(gitIn(workspace.path, "stash", "list")).toContain(`task-${task.id}: not committed in its worktree`);
  expect(fs.existsSync(worktreePath)).toBe(false);
  await screenshot(page, "task-merged");
});

test("continue a finished task with a follow-up prompt", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "continue");
  const task = await apiTask(request, workspace.id, "NO_TOOL First pass");
  await waitForTaskStatus(request, task.id, "DONE");
  await page.goto(`/tasks/${task.id}`);
  await page.getByTestId("continue-prompt").fill("NO_TOOL Second pass please");
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  const runsOf = async () => (await (await request.get(`/api/tasks/${task.id}/runs`)).json()).items;
  await expect.poll(async () => (await runsOf())[1]?.status, { timeout: 30_000 }).toBe("DONE");
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", "DONE");
  const runs = await runsOf();
  expect(runs[1]).toMatchObject({ kind: "continue", status: "DONE", sessionId: runs[0].sessionId });
  await page.getByRole("tab", { name: /Prompts/ }).click();
  await expect(page.getByTestId("prompt-history")).toContainText("Second pass please");
  await screenshot(page, "task-continued");
});

test("a quota error shows on the card and in the banner", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "quota");
  const task = await apiTask(request, workspace.id, "NO_TOOL FAKE_429", { backend: "codex_cli", model: "gpt-5.5" });
  await waitForTaskStatus(request, task.id, "FAILED");
  await page.goto(`/workspaces/${workspace.id}/board`);
  await expect(card(page, task.id).getByTestId("failure-reason")).toContainText(/429|limit/i);
  await expect(page.locator('[data-testid="quota-banner"][data-provider="openai"]')).toBeVisible();
  await screenshot(page, "board-quota");
  await page.goto("/");
  await expect(page.locator('[data-testid="quota-banner"][data-provider="openai"]')).toBeVisible();
  await expect(page.getByTestId("workspace-card").first()).toBeVisible();
  await screenshot(page, "home-quota");
});

test("creating a task on an unhealthy workspace warns", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "unhealthy");
  // The repository goes away under the workspace.
  fs.rmSync(path.join(workspace.path, ".git"), { recursive: true, force: true });
  await page.goto(`/tasks/new?workspaceId=${workspace.id}`);
  await expect(page.getByTestId("workspace-health-warning")).toContainText("not a git repository");
  await screenshot(page, "task-new-unhealthy");
});

test("usage page and a narrow dark window", async ({ page }) => {
  await page.goto("/usage");
  await expect(page.getByTestId("usage-view")).toBeVisible();
  await screenshot(page, "usage");
  await expectAccessible(page, "usage");
  await page.setViewportSize({ width: 900, height: 800 });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await screenshot(page, "home-narrow-dark");
  await expectAccessible(page, "home, dark");
});

test("the task's terminal attaches to its tmux session through the server's WebSocket", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "terminal");
  const task = await apiTask(request, workspace.id, "NO_TOOL hello");
  await waitForTaskStatus(request, task.id, "DONE");
  await page.goto(`/tasks/${task.id}`);
  await page.getByRole("link", { name: "Terminal", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/tasks/${task.id}/terminal`));
  await expect(page.getByTestId("terminal-status")).toHaveAttribute("data-status", "connected", { timeout: 20_000 });
  await page.getByTestId("terminal").click();
  await page.keyboard.type("echo hi-$((6*7)) && pwd\n");
  await expect(page.getByTestId("terminal")).toContainText("hi-42", { timeout: 15_000 });
  await expect(page.getByTestId("terminal")).toContainText(`task-${task.id}`);
  await screenshot(page, "terminal");
});

test("a person comments on two lines of the diff, requests changes, watches the fix run, sees the new diff and approves", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "human-review");
  const task = await apiTask(request, workspace.id, "Create the first file. FILE:first.txt");
  await waitForTaskStatus(request, task.id, "DONE");
  // A second file from a follow-up, so the diff has two files to comment on.
  expect((await request.post(`/api/tasks/${task.id}/continue`, { data: { prompt: "And the second. FILE:second.txt" } })).status()).toBe(200);
  await waitForTaskStatus(request, task.id, "DONE");

  await page.goto(`/tasks/${task.id}#diff`);
  const diff = page.getByTestId("diff-view");
  await expect(diff.locator('[data-testid="diff-file"][data-path="second.txt"]')).toBeVisible();
  for (const [file, body] of [["first.txt", "Explain this line."], ["second.txt", "Also add FILE:from-review.txt"]] as const) {
    const block = page.getByRole("region", { name: `Changes in ${file}` });
    const line = block.locator('tr[data-new-line="1"]');
    await line.hover();
    await line.getByTestId("comment-line").click();
    await block.getByRole("textbox", { name: `Comment on ${file}:1` }).fill(body);
    await block.getByTestId("submit-comment").click();
    await expect(block.getByTestId("review-comment").filter({ hasText: body })).toBeVisible();
  }
  await expect(page.getByTestId("review-panel")).toContainText("2 open comments");
  await screenshot(page, "review-comments");
  await expectAccessible(page, "diff with comments");

  await page.getByTestId("request-changes").click();
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", /TODO|RUNNING/);
  await expect(page.getByTestId("task-detail")).toHaveAttribute("data-status", "DONE", { timeout: 60_000 });
  const runs = (await (await request.get(`/api/tasks/${task.id}/runs`)).json()).items as { kind: string; prompt: string }[];
  expect(runs.map((run) => run.kind)).toEqual(["initial", "continue", "continue"]);
  expect(runs[2]!.prompt).toContain("- first.txt:1: Explain this line.");
  expect(runs[2]!.prompt).toContain("- second.txt:1: Also add FILE:from-review.txt");
  // The new diff shows the fix; the sent comments stay at their lines.
  await expect(diff.locator('[data-testid="diff-file"][data-path="from-review.txt"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("review-panel")).toContainText("0 open comments");

  await page.getByTestId("approve").click();
  await expect(page.locator('[data-testid="review-badge"][data-state="APPROVED"]').first()).toBeVisible();
  expect((await (await request.get(`/api/tasks/${task.id}`)).json()).reviewedBy).toBe("user");
  await screenshot(page, "review-approved");
  await page.goto(`/workspaces/${workspace.id}/board`);
  await page.getByLabel("Filter tasks by review").selectOption("approved");
  await expect(card(page, task.id).locator('[data-testid="review-badge"][data-state="APPROVED"]')).toBeVisible();
  await page.goto("/");
  await expect(page.getByTestId("ready-to-merge")).toContainText("ready to merge");
});

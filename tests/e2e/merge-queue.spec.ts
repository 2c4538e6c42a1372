import { expect, test } from "./fixtures";
import { apiTask, apiWorkspace, card, expectAccessible, gitIn, waitForTaskStatus } from "./helpers";

// Codex: its file writes (a shell command) also overwrite a file it never read, as a conflict resolution does.
const codex = { backend: "codex_cli", model: "gpt-5.5" };

test.describe.configure({ mode: "serial", timeout: 180_000 });

test("two tasks changing the same file warn of their overlap; Queue merge on each card lands both through the queue panel", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "queue-journey");
  const first = await apiTask(request, workspace.id, "Write the notes. FILE:notes.txt", codex);
  const second = await apiTask(request, workspace.id, "Write other notes. FILE:notes.txt", codex);
  await waitForTaskStatus(request, first.id, "DONE");
  await waitForTaskStatus(request, second.id, "DONE");
  await page.goto(`/workspaces/${workspace.id}/board`);
  await expect(card(page, first.id).getByTestId("overlap-warning")).toContainText(`overlaps #${second.number} in notes.txt`);
  await expect(card(page, second.id).getByTestId("overlap-warning")).toContainText(`overlaps #${first.number} in notes.txt`);
  await expectAccessible(page, "board with overlap warnings");

  await card(page, first.id).getByTestId("queue-merge").click();
  await expect(card(page, first.id).getByTestId("merged-badge")).toBeVisible({ timeout: 30_000 });
  const panel = page.getByTestId("merge-queue-panel");
  await expect(panel).toBeVisible();
  // The second is rebased onto what landed (the same file, here with the same text) and lands too.
  await card(page, second.id).getByTestId("queue-merge").click();
  await expect(card(page, second.id).getByTestId("merged-badge")).toBeVisible({ timeout: 90_000 });
  expect(gitIn(workspace.path, "show", "main:notes.txt")).toContain("hello from fake model");
  await expect(panel.getByTestId("merge-queue-entry")).toHaveCount(0);
  expect(gitIn(workspace.path, "status", "--porcelain")).toBe("");
});

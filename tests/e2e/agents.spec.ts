import { expect, test } from "./fixtures";
import { apiWorkspace, screenshot } from "./helpers";

test("the new-task form takes a free-form model for Gemini CLI, suggests the well-known names, and offers its own permission modes", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, `agents-${Date.now()}`);
  await page.goto(`/tasks/new?workspaceId=${workspace.id}`);
  // The agent's CLI version shows once the page is live and /api/models answered.
  const cliHint = page.locator("#task-backend-hint");
  await expect(cliHint).toHaveText(/^CLI /);
  const agent = page.getByLabel("Agent", { exact: true });
  await expect(agent.locator("option")).toHaveText([/Claude Code/, /Codex CLI/, /Gemini CLI/, /Qwen Code/, /opencode/]);
  await agent.selectOption("gemini_cli");
  // A text field with the adapter's default, its well-known names as suggestions.
  const model = page.getByLabel("Model", { exact: true });
  await expect(model).toHaveValue("gemini-2.5-pro");
  await expect(page.locator("#task-model-options option")).toHaveCount(4);
  await expect(page.getByLabel("Permission mode").locator("option")).toHaveText(["plan", "default", "auto_edit · default", "yolo"]);
  await expect(page.getByLabel("Permission mode")).toHaveValue("auto_edit");
  await model.fill("my-gateway/gemini-x");
  await page.getByLabel("Permission mode").selectOption("plan");
  await page.getByLabel("Prompt").fill("NO_TOOL free-form model");
  await screenshot(page, "task-new-gemini");
  await page.getByRole("button", { name: "Queue task" }).click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${workspace.id}/board`));
  const tasks = await (await request.get(`/api/tasks?workspaceId=${workspace.id}`)).json();
  expect(tasks.items).toEqual([expect.objectContaining({ backend: "gemini_cli", model: "my-gateway/gemini-x", permissionMode: "plan" })]);

  // The browser remembers the agent; back to Claude Code: its list of models again, with "Other…".
  await page.goto(`/tasks/new?workspaceId=${workspace.id}`);
  await expect(cliHint).toHaveText("CLI 0.61.0");
  await expect(agent).toHaveValue("gemini_cli");
  await agent.selectOption("claude_code");
  await expect(page.getByLabel("Model", { exact: true }).locator("option").last()).toHaveText("Other…");
});

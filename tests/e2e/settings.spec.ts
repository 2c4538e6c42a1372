import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { startSshd } from "../fixtures/sshd";
import { expectAccessible, makeRepo, screenshot } from "./helpers";

test.describe.configure({ mode: "serial" });

async function settingValues(request: APIRequestContext): Promise<Record<string, unknown>> {
  return (await (await request.get("/api/settings")).json()).values;
}

/** Later tests share this server: what a test changed goes back to how it was. */
async function restoreSettings(request: APIRequestContext, before: Record<string, unknown>, keys: string[]) {
  for (const key of keys) {
    if (key in before) await request.put(`/api/settings/${encodeURIComponent(key)}`, { data: { value: before[key] } });
    else await request.delete(`/api/settings/${encodeURIComponent(key)}`);
  }
}

async function expectToast(page: Page, text: string) {
  await expect(page.getByTestId("toast").filter({ hasText: text }).last()).toBeVisible();
}

test("defaults for new tasks and CLI paths are kept on the server and used by the new-task form", async ({ page, request }) => {
  const keys = ["defaultBackend", "defaultModel.claude_code", "cliPath.claude_code"];
  const before = await settingValues(request);
  try {
    await page.goto("/settings");
    await expect(page.getByTestId("settings-page")).toBeVisible();
    await expect(page.getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
    const claudeCli = page.locator('[data-testid="agent-cli"][data-backend="claude_code"]');
    await expect(claudeCli).toHaveAttribute("data-available", "true");
    await expectAccessible(page, "settings");

    await page.getByLabel("Default agent").selectOption("codex_cli");
    await page.getByLabel("Default model for Claude Code").selectOption("opus");
    await page.getByRole("button", { name: "Save defaults" }).click();
    await expectToast(page, "Saved the defaults for new tasks");
    await expect(page.getByRole("button", { name: "Save defaults" })).toBeDisabled();

    await page.reload();
    await expect(page.getByLabel("Default agent")).toHaveValue("codex_cli");
    await expect(page.getByLabel("Default model for Claude Code")).toHaveValue("opus");
    const models = await (await request.get("/api/models")).json();
    expect(models.defaultBackend).toBe("codex_cli");
    expect(models.backends.find((entry: { backend: string }) => entry.backend === "claude_code").defaultModel).toBe("opus");
    await screenshot(page, "settings");

    // With no choice remembered by the browser, the form starts from the server's defaults.
    await page.goto("/tasks/new");
    await expect(page.getByLabel("Agent", { exact: true })).toHaveValue("codex_cli");
    await page.goto("/settings");
    await page.getByLabel("Default agent").selectOption("claude_code");
    await page.getByRole("button", { name: "Save defaults" }).click();
    await expectToast(page, "Saved the defaults for new tasks");
    await page.goto("/tasks/new");
    await expect(page.getByLabel("Agent", { exact: true })).toHaveValue("claude_code");
    await expect(page.getByLabel("Model", { exact: true })).toHaveValue("opus");

    // A relative path is refused by the server, and the reason shows under the field.
    await page.goto("/settings");
    const cliPath = page.getByLabel("Claude Code CLI path", { exact: true });
    await cliPath.fill("bin/claude");
    await page.getByRole("button", { name: "Save the Claude Code CLI path" }).click();
    await expect(page.locator("#cli-path-claude_code-error")).toContainText("Must be an absolute path");
    await expect(cliPath).toHaveAttribute("aria-invalid", "true");
    expect(await settingValues(request)).not.toHaveProperty(["cliPath.claude_code"]);

    // An explicit path is probed at once: the runner now finds the CLI through it.
    const explicit = path.resolve("node_modules", ".bin", "claude");
    await cliPath.fill(explicit);
    await page.getByRole("button", { name: "Save the Claude Code CLI path" }).click();
    await expectToast(page, "Saved the Claude Code CLI path");
    await expect(claudeCli).toContainText("the path saved here");
    await page.getByRole("button", { name: "Clear the Claude Code CLI path" }).click();
    await expectToast(page, "Cleared the Claude Code CLI path");
    await expect(cliPath).toHaveValue("");
    await expect(claudeCli).not.toContainText("the path saved here");

    // Back to the built-in defaults, through the page.
    await page.getByLabel("Default agent").selectOption("");
    await page.getByLabel("Default model for Claude Code").selectOption("");
    await page.getByRole("button", { name: "Save defaults" }).click();
    await expectToast(page, "Saved the defaults for new tasks");
    const after = await settingValues(request);
    expect(after).not.toHaveProperty(["defaultBackend"]);
    expect(after).not.toHaveProperty(["defaultModel.claude_code"]);
  } finally {
    await restoreSettings(request, before, keys);
  }
});

test("a remote workspace's CLI path, and forgetting the host key pinned on first connection", async ({ page, request }) => {
  test.skip(!fs.existsSync("/usr/sbin/sshd"), "needs OpenSSH's sshd (scripts/install-system-deps.sh)");
  const sshd = await startSshd({ logLevel: "VERBOSE" });
  let workspaceId: number | undefined;
  const hostPort = `${sshd.host}:${sshd.port}`;
  try {
    const created = await request.post("/api/workspaces", {
      data: { name: `remote-${Date.now()}`, type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, path: makeRepo("remote-settings"), baseBranch: "main" },
    });
    expect(created.status()).toBe(201);
    const workspace = (await created.json()) as { id: number; name: string };
    workspaceId = workspace.id;
    // The e2e server's HOME has no known_hosts: its first connection pins the key it sees.
    const health = await (await request.get(`/api/workspaces/${workspace.id}/health`)).json();
    expect(health.reachable, `${JSON.stringify(health)}\nsshd: ${sshd.log().slice(-3000)}`).toBe(true);
    await expect.poll(async () => (await settingValues(request))[`hostKey.${hostPort}`]).toMatchObject({ fingerprint: health.hostKey.fingerprint });

    await page.goto("/settings");
    const pinned = page.locator(`[data-testid="host-key"][data-host="${hostPort}"]`);
    await expect(pinned.getByTestId("host-key-fingerprint")).toHaveText(health.hostKey.fingerprint);
    await expect(pinned).toContainText(workspace.name);

    const remoteCli = page.getByLabel(`Claude Code command on ${workspace.name}`, { exact: true });
    await remoteCli.fill("claude --flag");
    await page.getByRole("button", { name: `Save the Claude Code command of ${workspace.name}` }).click();
    await expect(page.locator(`#remote-cli-${workspace.id}-claude_code-error`)).toContainText("without spaces");
    await remoteCli.fill("/opt/agents/bin/claude");
    await page.getByRole("button", { name: `Save the Claude Code command of ${workspace.name}` }).click();
    await expectToast(page, `Saved the Claude Code command of ${workspace.name}`);
    expect((await settingValues(request))[`remoteCliPath.${workspace.id}.claude_code`]).toBe("/opt/agents/bin/claude");
    await screenshot(page, "settings-remote");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.reload();
    await expect(remoteCli).toHaveValue("/opt/agents/bin/claude");
    await screenshot(page, "settings-narrow-dark");
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole("button", { name: `Clear the Claude Code command of ${workspace.name}` }).click();
    await expectToast(page, `Cleared the Claude Code command of ${workspace.name}`);
    expect(await settingValues(request)).not.toHaveProperty([`remoteCliPath.${workspace.id}.claude_code`]);

    await pinned.getByRole("button", { name: `Forget the host key of ${hostPort}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("pins whatever key it presents");
    await dialog.getByRole("button", { name: "Forget key" }).click();
    await expect(pinned).toHaveCount(0);
    await expect(page.getByText("No pinned host keys")).toBeVisible();
    expect(await settingValues(request)).not.toHaveProperty([`hostKey.${hostPort}`]);
  } finally {
    if (workspaceId !== undefined) {
      await request.delete(`/api/settings/${encodeURIComponent(`remoteCliPath.${workspaceId}.claude_code`)}`);
      await request.delete(`/api/workspaces/${workspaceId}`);
    }
    await request.delete(`/api/settings/${encodeURIComponent(`hostKey.${hostPort}`)}`);
    await sshd.stop();
  }
});

test("a GitHub token set on the page is write-only: the page and the API say it is set, never what it is", async ({ page, request }) => {
  const token = `ghp_e2e_${Date.now()}_secret`;
  const envSource = (await (await request.get("/api/settings")).json()).githubTokenSource === "environment";
  try {
    await page.goto("/settings");
    const field = page.getByTestId("forge-token-githubToken");
    const source = page.getByTestId("forge-token-githubToken-source");
    await expect(source).toHaveText(envSource ? "From GITHUB_TOKEN" : "Not set");
    await expect(field.getByRole("button", { name: "Clear the GitHub token" })).toBeDisabled();
    const input = field.getByRole("textbox", { name: /GitHub token/ });
    await expect(input).toHaveAttribute("type", "password");
    await input.fill("has a space");
    await field.getByRole("button", { name: "Set the GitHub token" }).click();
    await expect(page.locator("#forge-token-githubToken-error")).toContainText("without spaces");
    await input.fill(token);
    await field.getByRole("button", { name: "Set the GitHub token" }).click();
    await expectToast(page, "Set the GitHub token");
    await expect(source).toHaveText("Set here");
    await expect(input).toHaveValue("");
    const body = await (await request.get("/api/settings")).text();
    expect(JSON.parse(body)).toMatchObject({ githubTokenSet: true, githubTokenSource: "settings" });
    expect(body).not.toContain(token);
    await page.reload();
    await expect(page.getByTestId("forge-token-githubToken-source")).toHaveText("Set here");
    expect(await page.content()).not.toContain(token);
    await page.getByRole("button", { name: "Clear the GitHub token" }).click();
    await expectToast(page, "Cleared the GitHub token");
    await expect(page.getByTestId("forge-token-githubToken-source")).toHaveText(envSource ? "From GITHUB_TOKEN" : "Not set");
    await expectAccessible(page, "settings with the forge tokens");
  } finally {
    await request.delete("/api/settings/githubToken");
  }
});

import { test as plain } from "@playwright/test";
import { e2eToken, expect, test } from "./fixtures";

/** The token, the login page and the security headers on the real production server in Chromium. */

plain("a page without a session goes to the login page, and logging in there leads back to it", async ({ page }) => {
  await page.goto("/usage?days=7");
  await expect(page).toHaveURL(/\/login\?next=%2Fusage%3Fdays%3D7$/);
  await page.getByLabel("Access token").fill("not-the-token");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("That token is not valid");
  await page.getByLabel("Access token").fill(e2eToken());
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/usage\?days=7$/);
  const cookie = (await page.context().cookies()).find((entry) => entry.name === "ai_slave_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
});

plain("the printed login link logs in at once and goes on to next", async ({ page }) => {
  await page.goto(`/login?token=${encodeURIComponent(e2eToken())}&next=/settings`);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("settings-page")).toBeVisible();
});

plain("without the token the API answers 401 and health says only its status", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const refused = await anonymous.get("/api/workspaces");
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized:token_missing");
  const health = await anonymous.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe('{"status":"ok"}');
  const foreign = await anonymous.get("/api/workspaces", { headers: { host: "evil.example", authorization: `Bearer ${e2eToken()}` } });
  expect(foreign.status()).toBe(403);
  await anonymous.dispose();
});

test("pages send the security headers, and the CSP lets Next's pages run (no violations)", async ({ page, request }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  // Hydrated: a client-side navigation works, which needs Next's inline and bundled scripts.
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByTestId("settings-page")).toBeVisible();
  await page.goto("/usage");
  await page.goto("/tasks/new");
  expect(violations).toEqual([]);
  const api = await request.get("/api/workspaces");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
});

test("a lost session (token rotated, cookie gone) sends the UI to the login page and back", async ({ page }) => {
  await page.goto("/settings");
  await expect(page.getByTestId("settings-page")).toBeVisible();
  await page.context().clearCookies();
  // The page's next API call or stream reconnect gets a 401; saving makes sure there is one.
  await page
    .getByRole("button", { name: "Save defaults" })
    .click({ timeout: 2_000, trial: true })
    .then(() => page.getByLabel("Default agent").selectOption("codex_cli", { timeout: 2_000 }))
    .then(() => page.getByRole("button", { name: "Save defaults" }).click({ timeout: 2_000 }))
    .catch(() => undefined);
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings$/, { timeout: 30_000 });
  await page.getByLabel("Access token").fill(e2eToken());
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("settings-page")).toBeVisible();
});

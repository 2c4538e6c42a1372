import { test as base, expect, type Page } from "@playwright/test";

/** The e2e server's access token (tests/e2e/global-setup.ts gives it through AI_SLAVE_TOKEN). */
export function e2eToken(): string {
  const token = process.env.E2E_TOKEN;
  if (!token) throw new Error("E2E_TOKEN is not set: tests/e2e/global-setup.ts did not run");
  return token;
}

/** Logs the browser in through the real login page, the way a person does. */
export async function logIn(page: Page, token = e2eToken()): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Access token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
}

/**
 * `page` starts logged in through the login page (a session cookie); `request` is a script with
 * `Authorization: Bearer <token>`.
 */
export const test = base.extend({
  request: async ({ playwright, baseURL }, use) => {
    const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${e2eToken()}` } });
    await use(context);
    await context.dispose();
  },
  page: async ({ page }, use) => {
    await logIn(page);
    await use(page);
  },
});

export { expect };

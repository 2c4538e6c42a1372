import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3199);

/**
 * Browser tests drive the real production server (started by tests/e2e/global-setup.ts with a
 * temp database, a temp git repo and a fake model server) in Debian's Chromium.
 */
export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  // One retry: a journey of many steps on a busy 2-core machine may meet a rare stall (a real
  // agent, tmux, git); the summary (scripts/test-summary.mjs) names every test that needed the
  // retry with the failed try's error and the stuck task's runs, so a flake is seen, not hidden.
  retries: 1,
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 860 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});

import path from "node:path";
import { seedTasks } from "../fixtures/seed-tasks";
import { expect, test } from "./fixtures";
import { apiWorkspace } from "./helpers";

const SEEDED = { TODO: 600, DONE: 1300, FAILED: 100 };
const FIRST_RENDER_MS = 1000;
const HEAP_LIMIT_MB = 150;

/**
 * A board of 2,000 tasks (written straight into the server's database): every column's count is
 * the server's, the first render is under a second, the JS heap stays small, a card far past the
 * first page is reached by scrolling, and the filter finds a task that was never loaded.
 */
test("a board with 2,000 tasks: true counts, fast first render, small heap, everything reachable", async ({ page, request }) => {
  const workspace = await apiWorkspace(request, "board-scale");
  await seedTasks(path.join(process.env.E2E_DIR!, "db.sqlite"), workspace.id, SEEDED, "scale");

  // The moment all four counts and the first cards are on screen, seen from inside the page.
  await page.addInitScript(() => {
    const done = () => {
      const counts = ["TODO", "RUNNING", "DONE", "FAILED"].map((status) => document.querySelector(`[data-testid="column-${status}-count"]`)?.textContent);
      return counts.every((text) => text && text !== "–") && document.querySelector('[data-testid="column-DONE"] [data-testid="task-card"]');
    };
    const observer = new MutationObserver(() => {
      if (!done()) return;
      (window as unknown as { boardReadyAt: number }).boardReadyAt = performance.now();
      observer.disconnect();
    });
    document.addEventListener("DOMContentLoaded", () => observer.observe(document.body, { childList: true, subtree: true, characterData: true }));
  });
  await page.goto(`/workspaces/${workspace.id}/board`);
  for (const [status, count] of Object.entries({ ...SEEDED, RUNNING: 0 })) {
    await expect(page.getByTestId(`column-${status}-count`)).toHaveText(String(count));
  }
  const readyAt = await page.evaluate(() => (window as unknown as { boardReadyAt?: number }).boardReadyAt ?? Number.NaN);
  console.log(`board first render: ${readyAt.toFixed(0)} ms after navigation start`);
  expect(readyAt).toBeLessThan(FIRST_RENDER_MS);

  // Only a window of cards is in the DOM, in the column's order: newest finish first.
  const done = page.getByTestId("column-DONE");
  await expect(done.getByTestId("task-card").first()).toContainText("scale DONE 1299");
  expect(await done.getByTestId("task-card").count()).toBeLessThan(60);

  // Scrolling Done loads page after page until a card from far beyond the first page shows.
  const scroller = page.getByTestId("column-DONE-scroll");
  const target = done.getByTestId("task-card").filter({ hasText: /scale DONE 1100\b/ });
  for (let step = 0; step < 40 && !(await target.count()); step += 1) {
    await scroller.evaluate((element) => element.scrollBy(0, 2500));
    await page.waitForTimeout(150);
  }
  await expect(target).toBeVisible();

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics").catch(async () => {
    await cdp.send("Performance.enable");
    return cdp.send("Performance.getMetrics");
  });
  const heapMb = (metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value ?? Number.NaN) / 1024 / 1024;
  console.log(`board JS heap after scrolling: ${heapMb.toFixed(1)} MB`);
  expect(heapMb).toBeLessThan(HEAP_LIMIT_MB);

  // The filter asks the server: a Queued task near the end of the queue, never loaded, is found.
  await expect(page.getByTestId("column-TODO").getByText("scale TODO 590", { exact: true })).toHaveCount(0);
  await page.getByTestId("board-filter-text").fill("scale TODO 590");
  await expect(page.getByTestId("column-TODO").getByTestId("task-card")).toHaveCount(1);
  await expect(page.getByTestId("column-TODO").getByTestId("task-card")).toContainText("scale TODO 590");
  await expect(page.getByTestId("column-TODO-count")).toHaveText("1");
  await expect(page.getByTestId("column-DONE-count")).toHaveText("0");
});

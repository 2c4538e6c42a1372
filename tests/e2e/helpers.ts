import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** A git repository with one commit on main, in the run's temp dir. */
export function makeRepo(name: string): string {
  const repo = path.join(process.env.E2E_DIR!, `${name}-${Date.now()}`);
  fs.mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(repo, "README.md"), `# ${name}\n`);
  git("add", ".");
  git("-c", "user.name=E2E", "-c", "user.email=e2e@localhost", "commit", "-q", "-m", "initial");
  return repo;
}

export function gitIn(repo: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString().trim();
}

export async function apiWorkspace(request: APIRequestContext, name: string, extra: Record<string, unknown> = {}) {
  const response = await request.post("/api/workspaces", { data: { name: `${name}-${Date.now()}`, path: makeRepo(name), ...extra } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: number; name: string; path: string };
}

export async function apiTask(request: APIRequestContext, workspaceId: number, prompt: string, extra: Record<string, unknown> = {}) {
  const response = await request.post("/api/tasks", { data: { prompt, workspaceId, backend: "claude_code", model: "claude-sonnet-4-5", ...extra } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: number; number: number };
}

export async function waitForTaskStatus(request: APIRequestContext, id: number, status: string, timeout = 60_000) {
  try {
    await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).status, { timeout }).toBe(status);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await taskDiagnosis(request, id)}`);
  }
}

/**
 * What a stuck task's runs did, in a few short lines (the end of a CI log is often all that is
 * kept): each run's state and the last events of its stored log.
 */
async function taskDiagnosis(request: APIRequestContext, id: number): Promise<string> {
  const task = (await (await request.get(`/api/tasks/${id}`)).json()) as Record<string, unknown>;
  const lines = [`task ${id}: ${task.status} ${task.backend} waiting=${task.waitingReason ?? "-"} failure=${task.failureReason ?? "-"}`];
  const runs = (await (await request.get(`/api/tasks/${id}/runs`)).json()) as { items: Record<string, unknown>[] };
  for (const run of runs.items) {
    const log = (await (await request.get(`/api/runs/${run.id}/logs?limit=5000`)).json()) as { items: Record<string, unknown>[] };
    const last = log.items.slice(-6).map((event) => `${String(event.ts).slice(11, 23)} ${event.kind}:${String(event.message ?? event.text ?? event.summary ?? event.line ?? "").slice(0, 50)}`);
    lines.push(`run ${run.id} ${run.status} exit=${run.exitCode} pid=${run.pid} ${String(run.startedAt).slice(11, 23)}-${String(run.endedAt ?? "").slice(11, 23)} events=${log.items.length}: ${last.join(" | ")}`);
  }
  return lines.join("\n");
}

/** Full-page screenshots are kept as test artifacts. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join("test-results", "screenshots", `${name}.png`), fullPage: true });
}

export function card(page: Page, taskId: number) {
  return page.locator(`[data-testid="task-card"][data-task-id="${taskId}"]`);
}

/**
 * The page passes axe-core with no serious or critical violation (WCAG 2 A/AA rules). The
 * failing rules and their elements are the assertion's message.
 */
export async function expectAccessible(page: Page, what: string) {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  const report = serious.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 8).join(", ")}`);
  expect(report, `axe on ${what}`).toEqual([]);
}

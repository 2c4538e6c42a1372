import "server-only";
import type { Workspace } from "@/server/db/generated/client";
import type { PullRequestState } from "@/lib/enums";
import { conflict, unprocessable } from "@/lib/errors";
import type { TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { transportFor } from "@/server/exec/transport-for";
import { fetchPullRequest } from "@/server/forge/client";
import { forgeConfig, type ForgeConfig } from "@/server/forge/config";
import { forgeProjectOf, type ForgeProject } from "@/server/forge/remote";
import { remoteUrl } from "@/server/git/push";
import { services } from "@/server/services";
import { processSingleton } from "@/server/singleton";
import { findTask, getTask } from "./service";
import { isPlaced, requirePlaced } from "@/server/lifecycle/placed";

/**
 * Keeps each task's pull request state (open, merged, closed) current: a periodic pass asks the
 * forge about every task whose pull request is open (AI_SLAVE_PR_REFRESH_MS, default 5 minutes),
 * and `POST /api/tasks/:id/pull-request/refresh` asks about one task on demand (the task page does
 * when it opens one with an open pull request). A forge that fails changes nothing: the pass logs
 * the failure once (until a later refresh of that task succeeds), never with the token.
 */

/** On demand, a task's pull request is asked about at most this often; a sooner call answers the stored state. */
export const ON_DEMAND_MIN_INTERVAL_MS = 30_000;

interface RefreshState {
  /** When each task's pull request was last asked about (ms since epoch). */
  refreshedAt: Map<number, number>;
  /** The failure last logged per task, so a forge that stays down is logged once. */
  loggedFailure: Map<number, string>;
}

const state = () => processSingleton<RefreshState>("pullRequestRefresh", () => ({ refreshedAt: new Map(), loggedFailure: new Map() }));

interface PullRequestRow {
  id: number;
  workspaceId: number;
  pullRequestNumber: number | null;
  pullRequestUrl: string | null;
  pullRequestState: string | null;
}

const ROW = { id: true, workspaceId: true, pullRequestNumber: true, pullRequestUrl: true, pullRequestState: true } as const;

/** The forge project behind the workspace's remote, and the token and URL to ask it with. */
async function forgeOf(workspace: Workspace): Promise<{ project: ForgeProject; config: ForgeConfig }> {
  const url = await remoteUrl(transportFor(workspace), workspace.path, workspace.gitRemote);
  if (url === null) throw unprocessable("no_remote", `The repository ${workspace.path} has no remote named ${workspace.gitRemote}.`);
  const project = forgeProjectOf(url);
  if (!project) throw unprocessable("forge_project", `Cannot tell the forge project from ${workspace.gitRemote}'s URL.`);
  return { project, config: await forgeConfig(project.forge) };
}

/** Asks the forge and stores a changed state in one conditional statement (the same pull request still); true when it changed. */
async function refreshRow(row: PullRequestRow, forge: { project: ForgeProject; config: ForgeConfig }): Promise<boolean> {
  const number = row.pullRequestNumber!;
  const info = await fetchPullRequest(forge.project, forge.config, number);
  state().refreshedAt.set(row.id, Date.now());
  state().loggedFailure.delete(row.id);
  // An answer without a URL keeps the stored one.
  const url = /^https?:\/\//.test(info.url) ? info.url : row.pullRequestUrl;
  if (info.state === row.pullRequestState && url === row.pullRequestUrl) return false;
  const { count } = await db().task.updateMany({ where: { id: row.id, pullRequestNumber: number }, data: { pullRequestState: info.state satisfies PullRequestState, pullRequestUrl: url } });
  if (count === 1) services().bus.publishBoard({ type: "task.updated", taskId: row.id, workspaceId: row.workspaceId, status: null });
  return count === 1;
}

function logFailure(row: PullRequestRow, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (state().loggedFailure.get(row.id) === message) return;
  state().loggedFailure.set(row.id, message);
  console.warn(`[pull requests] could not refresh task ${row.id}'s pull request #${row.pullRequestNumber} (it stays ${row.pullRequestState}): ${message}`);
}

export interface RefreshPassResult {
  checked: number;
  changed: number;
  failed: number;
}

/** One pass: every task whose pull request is open, workspace by workspace (one remote lookup each). */
export async function refreshOpenPullRequests(): Promise<RefreshPassResult> {
  // A task with a pull request was placed: pushing needs its host.
  const rows = (await db().task.findMany({ where: { pullRequestState: "open", pullRequestNumber: { not: null }, workspaceId: { not: null } }, select: ROW, orderBy: { id: "asc" } })).filter(isPlaced);
  const result: RefreshPassResult = { checked: 0, changed: 0, failed: 0 };
  const byWorkspace = new Map<number, PullRequestRow[]>();
  for (const row of rows) byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
  for (const [workspaceId, tasks] of byWorkspace) {
    const workspace = await db().workspace.findUnique({ where: { id: workspaceId } });
    if (!workspace) continue;
    let forge: Awaited<ReturnType<typeof forgeOf>> | null = null;
    try {
      forge = await forgeOf(workspace);
    } catch (error) {
      for (const row of tasks) logFailure(row, error);
      result.failed += tasks.length;
      continue;
    }
    for (const row of tasks) {
      try {
        result.checked += 1;
        if (await refreshRow(row, forge)) result.changed += 1;
      } catch (error) {
        logFailure(row, error);
        result.failed += 1;
      }
    }
  }
  return result;
}

/**
 * Refreshes one task's pull request now (any state: a closed one may have been reopened). Asked
 * again within ON_DEMAND_MIN_INTERVAL_MS, it answers the stored state without calling the forge.
 * The forge's refusals come back as they do when opening one (403 auth, 422 refused or no token).
 */
export async function refreshTaskPullRequest(id: number): Promise<TaskDto> {
  const task = requirePlaced(await findTask(id));
  if (task.pullRequestNumber === null) throw conflict("no_pull_request", `Task ${id} has no pull request: open one first.`);
  const last = state().refreshedAt.get(id);
  if (last !== undefined && Date.now() - last < ON_DEMAND_MIN_INTERVAL_MS) return getTask(id);
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: task.workspaceId } });
  await refreshRow(task, await forgeOf(workspace));
  return getTask(id);
}

/** Runs refreshOpenPullRequests every `intervalMs` (0: never), one pass at a time; returns the function that stops it. */
export function schedulePullRequestRefresh(intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  let stopped = false;
  const pass = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const result = await refreshOpenPullRequests();
      if (result.changed > 0) console.log(`[pull requests] ${result.changed} of ${result.checked} open pull request(s) changed state.`);
    } catch (error) {
      console.error("[pull requests] the refresh pass failed", error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  const every = setInterval(() => void pass(), intervalMs);
  every.unref?.();
  return () => {
    stopped = true;
    clearInterval(every);
  };
}

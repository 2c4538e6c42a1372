import "server-only";
import type { MergeQueueStep } from "@/lib/enums";
import { db } from "@/server/db/client";
import type { MergeQueueEntry } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import type { MergeQueueHandle } from "@/server/services";
import { leave, stepChecking, stepCleanup, stepLanding, stepResolving, stepUpdating, type StepContext, type StepResult } from "./steps";
import { moveStep, queuedEntries } from "./store";

const STEPS: Record<Exclude<MergeQueueStep, "waiting">, (ctx: StepContext) => Promise<StepResult>> = {
  updating: stepUpdating,
  resolving: stepResolving,
  checking: stepChecking,
  landing: stepLanding,
  cleanup: stepCleanup,
};

/**
 * Lands each workspace's queue one task at a time. Event-driven (an enqueue, a finished resolve
 * run, a reorder poke it), with a periodic scan as a safety net and at start, so a queue left
 * mid-step by a crash resumes from the step stored in the database. Passes over one workspace
 * never overlap; different workspaces go on side by side.
 */
export class MergeQueueWorker implements MergeQueueHandle {
  private readonly busy = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly scanIntervalMs: number) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.scanIntervalMs);
    this.timer.unref();
    this.poke();
  }

  poke(workspaceId?: number): void {
    if (this.stopped) return;
    if (workspaceId === undefined) {
      void db().mergeQueueEntry.findMany({ where: { state: "queued" }, distinct: ["workspaceId"], select: { workspaceId: true } })
        .then((rows) => rows.forEach((row) => this.poke(row.workspaceId)))
        .catch((error: unknown) => console.error("[merge queue] scan failed", error));
      return;
    }
    if (this.busy.has(workspaceId)) {
      this.again.add(workspaceId);
      return;
    }
    const pass = advanceQueue(workspaceId, () => this.stopped)
      .catch((error: unknown) => console.error(`[merge queue] workspace ${workspaceId}: a pass failed`, error))
      .finally(() => {
        this.busy.delete(workspaceId);
        if (this.again.delete(workspaceId)) this.poke(workspaceId);
      });
    this.busy.set(workspaceId, pass);
  }

  /** Resolves when no pass runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.busy.size > 0) await Promise.all([...this.busy.values()]);
  }

  /**
   * No step starts after this, and the step in flight gets `graceMs` to end. One still going then
   * (a long check) is left as a kill would leave it: its entry keeps its step, and the next start
   * does that step again. Before, a stopping server went on through the whole queue, checks and
   * all, before it exited.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
}

/**
 * The entry being landed: the one already past `waiting` (at most one), else the first whose
 * task is DONE (a task sent back to work waits in place without blocking the others).
 */
async function activeEntry(workspaceId: number): Promise<MergeQueueEntry | null> {
  const entries = await queuedEntries(workspaceId);
  // Every run's end pokes its workspace's queue, which is mostly empty: no second statement then.
  if (entries.length === 0) return null;
  const started = entries.find((entry) => entry.step !== "waiting");
  if (started) return started;
  const tasks = await db().task.findMany({ where: { id: { in: entries.map((entry) => entry.taskId) } }, select: { id: true, status: true } });
  const status = new Map(tasks.map((task) => [task.id, task.status]));
  return entries.find((entry) => status.get(entry.taskId) === "DONE" || !status.has(entry.taskId)) ?? null;
}

/** Walks the queue's steps until it waits for an agent, is empty, or the server is stopping. */
export async function advanceQueue(workspaceId: number, stopping: () => boolean = () => false): Promise<void> {
  for (;;) {
    if (stopping()) return;
    const entry = await activeEntry(workspaceId);
    if (!entry) return;
    const [task, workspace] = await Promise.all([
      db().task.findUnique({ where: { id: entry.taskId } }),
      db().workspace.findUnique({ where: { id: workspaceId } }),
    ]);
    if (!workspace) return;
    const transport = transportFor(workspace);
    if (!task || !task.worktreePath) {
      await leave({ entry, task, transport }, task ? `Task ${entry.taskId} has no worktree: it never ran.` : `Task ${entry.taskId} was deleted.`, []);
      continue;
    }
    if (entry.step === "waiting") {
      if (!(await moveStep(entry, "updating"))) continue;
    }
    const step = STEPS[entry.step as keyof typeof STEPS];
    if ((await step({ entry, task, workspace, transport, stopping })) === "wait") return;
  }
}

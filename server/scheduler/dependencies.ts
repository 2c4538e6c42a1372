import "server-only";
import type { DependencyMode } from "@/lib/enums";
import { db } from "@/server/db/client";
import { parseJson } from "@/server/db/serialize";

/**
 * Dependencies gate a task's first run: in `merged` mode until every parent merged, in `done`
 * mode (stacked) until its one parent is DONE. A parent that failed or was deleted keeps it
 * waiting, with that said in the reason; the user removes the dependency to let it go.
 */

export interface ParentState {
  id: number;
  number: number;
  status: string;
  merged: boolean;
}

/** Why the task still waits, or null when its parents let it start. Pure. */
export function dependencyWait(mode: DependencyMode, dependsOn: number[], parents: ParentState[]): string | null {
  for (const id of dependsOn) {
    const parent = parents.find((candidate) => candidate.id === id);
    const goal = mode === "done" ? "to be done" : "to merge";
    if (!parent) return `waiting for task ${id} ${goal}; it was deleted: remove the dependency to start.`;
    const ready = mode === "done" ? parent.status === "DONE" || parent.merged : parent.merged;
    if (ready) continue;
    if (parent.status === "FAILED") return `waiting for #${parent.number} ${goal}; it failed: retry it or remove the dependency.`;
    return `waiting for #${parent.number} ${goal}`;
  }
  return null;
}

/** Splits the TODO queue into tasks free to be planned and those waiting for their parents. */
export async function gateOnDependencies<T extends { id: number; nextRunKind: string }>(queue: T[]): Promise<{ ready: T[]; waiting: { id: number; reason: string }[] }> {
  const candidates = new Set(queue.filter((task) => task.nextRunKind === "initial").map((task) => task.id));
  if (candidates.size === 0) return { ready: queue, waiting: [] };
  // The queue's first runs that have parents, by their own condition rather than by thousands of
  // ids bound one by one; only those in this pass's queue count.
  const gated = (await db().task.findMany({ where: { status: "TODO", nextRunKind: "initial", NOT: { dependsOn: "[]" } }, select: { id: true, dependsOn: true, dependencyMode: true } }))
    .filter((task) => candidates.has(task.id));
  if (gated.length === 0) return { ready: queue, waiting: [] };
  const parentIds = [...new Set(gated.flatMap((task) => parseJson<number[]>(task.dependsOn, [])))];
  const parents = (await db().task.findMany({ where: { id: { in: parentIds } }, select: { id: true, number: true, status: true, mergedAt: true } }))
    .map((row) => ({ id: row.id, number: row.number, status: row.status, merged: row.mergedAt !== null }));
  const waiting = gated
    .map((task) => ({ id: task.id, reason: dependencyWait(task.dependencyMode as DependencyMode, parseJson<number[]>(task.dependsOn, []), parents) }))
    .filter((entry): entry is { id: number; reason: string } => entry.reason !== null);
  const blocked = new Set(waiting.map((entry) => entry.id));
  return { ready: queue.filter((task) => !blocked.has(task.id)), waiting };
}

/** Where a task's new branch starts: its parent's branch when stacked (`done`), else the base. */
export function startBranchOf(task: { dependsOn: string; dependencyMode: string }, baseBranch: string): string {
  const parents = parseJson<number[]>(task.dependsOn, []);
  return task.dependencyMode === "done" && parents.length === 1 ? `task-${parents[0]}` : baseBranch;
}

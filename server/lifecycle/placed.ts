import { AppError } from "@/lib/errors";

/**
 * A pool task has no workspace until the scheduler places it on a member (server/scheduler/plan.ts);
 * from then on it lives there like any other task. Everything that needs the task's host (its
 * worktree, diff, merge, terminal, a follow-up run) goes through these, so an unplaced task is
 * refused with one clear 409.
 */
export type Placed<T extends { workspaceId: number | null }> = T & { workspaceId: number };
export type PlacedWith<T extends { workspaceId: number | null; workspace: object | null }> = T & { workspaceId: number; workspace: NonNullable<T["workspace"]> };

export function notPlaced(task: { id: number }): AppError {
  return new AppError("conflict:task_not_placed", `Task ${task.id} is not placed yet: it waits for a free member of its pool, so it has no host, worktree or branch.`);
}

export function isPlaced<T extends { workspaceId: number | null }>(task: T): task is Placed<T> {
  return task.workspaceId !== null;
}

export function requirePlaced<T extends { id: number; workspaceId: number | null }>(task: T): Placed<T> {
  if (!isPlaced(task)) throw notPlaced(task);
  return task;
}

/** For rows loaded with their workspace: the task and its workspace, or the 409. */
export function requirePlacedWith<T extends { id: number; workspaceId: number | null; workspace: object | null }>(task: T): PlacedWith<T> {
  if (task.workspaceId === null || task.workspace === null) throw notPlaced(task);
  return task as PlacedWith<T>;
}

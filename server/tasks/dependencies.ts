import "server-only";
import type { DependencyMode } from "@/lib/enums";
import { unprocessable } from "@/lib/errors";
import { db } from "@/server/db/client";
import { parseJson } from "@/server/db/serialize";

/**
 * A task's dependencies as the API accepts them: tasks of the same workspace, not itself, no
 * cycle, and in `done` mode (stacked on the parent's branch) exactly one parent. Refusals are 422.
 */
export async function checkDependencies(input: { taskId?: number; workspaceId: number; dependsOn: number[]; mode: DependencyMode }): Promise<void> {
  const ids = [...new Set(input.dependsOn)];
  if (input.mode === "done" && ids.length !== 1) {
    throw unprocessable("dependency_mode", `dependencyMode "done" stacks the task on one parent's branch: name exactly one task in dependsOn (got ${ids.length}).`);
  }
  if (input.taskId !== undefined && ids.includes(input.taskId)) throw unprocessable("dependency_cycle", `Task ${input.taskId} cannot depend on itself.`);
  // No parents, nothing to look up (most tasks): one query fewer on the way to a 201.
  if (ids.length === 0) return;
  const rows = await db().task.findMany({ where: { id: { in: ids } }, select: { id: true, workspaceId: true } });
  const missing = ids.filter((id) => !rows.some((row) => row.id === id));
  if (missing.length > 0) throw unprocessable("dependency_unknown", `No task with id ${missing.join(", ")}.`, { taskIds: missing });
  const foreign = rows.filter((row) => row.workspaceId !== input.workspaceId).map((row) => row.id);
  if (foreign.length > 0) throw unprocessable("dependency_workspace", `Task ${foreign.join(", ")} belongs to another workspace: dependencies stay within one.`, { taskIds: foreign });
  if (input.taskId !== undefined) await refuseCycle(input.taskId, ids);
}

/** Walks the parents' own dependencies: reaching the task again would be a cycle. */
async function refuseCycle(taskId: number, parents: number[]): Promise<void> {
  const seen = new Set<number>();
  let frontier = parents;
  while (frontier.length > 0) {
    if (frontier.includes(taskId)) throw unprocessable("dependency_cycle", `That would make a cycle: task ${taskId} would wait for itself.`);
    frontier.forEach((id) => seen.add(id));
    const rows = await db().task.findMany({ where: { id: { in: frontier } }, select: { dependsOn: true } });
    frontier = [...new Set(rows.flatMap((row) => parseJson<number[]>(row.dependsOn, [])))].filter((id) => !seen.has(id));
  }
}

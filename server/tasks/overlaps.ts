import "server-only";
import type { TaskDto } from "@/lib/schemas/task";
import { directRead } from "@/server/db/log-connection";
import type { Task } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";

/**
 * Conflict prediction: each unmerged task knows the files its branch changes
 * (server/merge-queue/changed-files.ts); two open tasks of a workspace that change the same files overlap.
 */

const OPEN = ["TODO", "RUNNING", "DONE"];
const OPEN_WITH_CHANGES = `SELECT "id", "workspaceId", "changedFiles" FROM "Task" WHERE "workspaceId" IN (SELECT "value" FROM json_each(?)) AND "status" IN (${OPEN.map((status) => `'${status}'`).join(", ")}) AND "mergedAt" IS NULL AND "changedFiles" <> '[]'`;

/** What overlapsByTask reads of a task (a Task, or a TaskRow with its dates as text). */
type OverlapRow = Pick<Task, "id" | "workspaceId" | "status" | "changedFiles"> & { mergedAt: Date | string | null };

/** Overlapping files per task, for the task answers: only open (unmerged, not failed) tasks. */
export async function overlapsByTask(rows: OverlapRow[]): Promise<Map<number, TaskDto["overlaps"]>> {
  const result = new Map<number, TaskDto["overlaps"]>();
  const mine = rows.filter((row): row is OverlapRow & { workspaceId: number } => row.workspaceId !== null && OPEN.includes(row.status) && !row.mergedAt && row.changedFiles !== "[]");
  if (mine.length === 0) return result;
  // Read directly (server/db/log-connection.ts): a page of tasks with changes asks this each time.
  const others = directRead<{ id: number; workspaceId: number; changedFiles: string }>(OPEN_WITH_CHANGES, JSON.stringify([...new Set(mine.map((row) => row.workspaceId))]));
  for (const row of mine) {
    const files = new Set(parseJson<string[]>(row.changedFiles, []));
    const overlaps = others
      .filter((other) => other.id !== row.id && other.workspaceId === row.workspaceId)
      .map((other) => ({ taskId: other.id, files: parseJson<string[]>(other.changedFiles, []).filter((file) => files.has(file)) }))
      .filter((overlap) => overlap.files.length > 0);
    if (overlaps.length > 0) result.set(row.id, overlaps);
  }
  return result;
}

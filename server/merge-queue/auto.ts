import "server-only";
import { db } from "@/server/db/client";
import { services } from "@/server/services";
import { insertEntry, queuedEntryOf } from "./store";

/**
 * autoMerge: a task that became DONE with its checks passed (or none configured) and its review
 * approved joins its workspace's queue. Quietly nothing otherwise, or when it is already queued.
 */
export async function autoEnqueue(taskId: number): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!task || task.workspaceId === null || !task.workspace || !task.workspace.autoMerge || task.status !== "DONE" || task.mergedAt) return;
  if (task.checkState === "FAILED" || task.reviewState !== "APPROVED") return;
  if (task.workspace.checkCommand && task.checkState !== "PASSED") return;
  if (await queuedEntryOf(taskId)) return;
  await insertEntry({ workspaceId: task.workspaceId, taskId, deleteBranch: false }).catch(() => undefined);
  services().mergeQueue.poke(task.workspaceId);
}

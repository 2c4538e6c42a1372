import "server-only";
import { requirePlacedWith } from "@/server/lifecycle/placed";
import { AppError, conflict } from "@/lib/errors";
import type { TaskCreateInput, TaskDto } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { processSingleton } from "@/server/singleton";
import { createTask, getTask } from "@/server/tasks/service";
import type { AgentCaller } from "./caller";

/** One create at a time per parent, so two parallel calls cannot both take the last place. */
function serialized<T>(parentId: number, step: () => Promise<T>): Promise<T> {
  const locks = processSingleton("mcp.subtaskLocks", () => new Map<number, Promise<unknown>>());
  const previous = locks.get(parentId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(step);
  locks.set(parentId, next);
  void next.finally(() => locks.get(parentId) === next && locks.delete(parentId)).catch(() => undefined);
  return next;
}

/**
 * A task queued by a running task's agent: on the agent's own workspace, recording its parent,
 * at most the workspace's maxSubtasks per parent, and none by a subtask (depth 1).
 */
export function createSubtask(caller: AgentCaller, input: Omit<TaskCreateInput, "workspaceId"> & { workspaceId?: number }): Promise<TaskDto> {
  return serialized(caller.taskId, async () => {
    const parent = requirePlacedWith(await db().task.findUniqueOrThrow({ where: { id: caller.taskId }, include: { workspace: true } }));
    if (parent.parentTaskId !== null) {
      throw new AppError("forbidden:subtask_depth", `Task ${parent.id} is itself a subtask (of task ${parent.parentTaskId}): subtasks may not create more.`);
    }
    if (input.workspaceId !== undefined && input.workspaceId !== parent.workspaceId) {
      throw new AppError("forbidden:subtask_workspace", `An agent creates subtasks on its own workspace (${parent.workspaceId}) only.`);
    }
    const count = await db().task.count({ where: { parentTaskId: parent.id } });
    if (count >= parent.workspace.maxSubtasks) {
      throw conflict("subtask_limit", `Task ${parent.id} has created ${count} subtask(s), the most its workspace allows (maxSubtasks ${parent.workspace.maxSubtasks}).`);
    }
    return createTask({ ...input, workspaceId: parent.workspaceId }, { parentTaskId: parent.id });
  });
}

/** A task an agent may read: one on its own workspace. */
export async function getTaskFor(caller: AgentCaller, taskId: number): Promise<TaskDto> {
  const task = await getTask(taskId);
  if (task.workspaceId !== caller.workspaceId) throw new AppError("forbidden:task_workspace", `Task ${taskId} is on another workspace than this agent's.`);
  return task;
}

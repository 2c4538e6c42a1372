import "server-only";
import type { Backend, DependencyMode } from "@/lib/enums";
import { badRequest, conflict, notFound, unprocessable } from "@/lib/errors";
import type { PromptHistoryEntry, TaskCreateInput, TaskDto, TaskUpdateInput } from "@/lib/schemas/task";
import { getAdapter } from "@/server/agents/registry";
import { db } from "@/server/db/client";
import type { Prisma, Task } from "@/server/db/generated/client";
import { parseJson, toTaskDto } from "@/server/db/serialize";
import { services } from "@/server/services";
import { settings } from "@/server/settings";
import { mergeQueueByTask } from "@/server/merge-queue/store";
import { checkDependencies } from "./dependencies";
import { insertTaskDirect, type NewTask } from "./insert-task";
import type { TaskRow } from "./task-rows";
import { nextTaskNumber, taskTarget } from "./target";
import { overlapsByTask } from "./overlaps";
import { usageByTask } from "./usage";

export async function findTask(id: number): Promise<Task> {
  const row = await db().task.findUnique({ where: { id } });
  if (!row) throw notFound("task", id);
  return row;
}

export async function getTask(id: number): Promise<TaskDto> {
  const row = await findTask(id);
  const [usage, queue, overlaps] = await Promise.all([usageByTask([id]), mergeQueueByTask([id]), overlapsByTask([row])]);
  return toTaskDto(row, { usage: usage.get(id), mergeQueue: queue.get(id), overlaps: overlaps.get(id) });
}

/** The first line of the prompt, shortened: what a person would have typed as a title. */
export function titleFromPrompt(prompt: string): string {
  const line = prompt.split("\n").map((part) => part.trim()).find(Boolean) ?? "Untitled task";
  return line.length > 80 ? `${line.slice(0, 77).trimEnd()}...` : line;
}

/** The model of a new task: the user's default for the backend, else the catalogue's. */
export async function defaultModel(backend: Backend): Promise<string> {
  return settings.defaultModel(backend);
}

/** A permission mode the backend does not take is refused like any other invalid field. */
function checkPermissionMode(backend: Backend, mode: string | undefined): void {
  const modes = getAdapter(backend).permissionModes;
  if (mode === undefined || modes.includes(mode)) return;
  const message = `"${mode}" is not a permission mode of ${backend} (${modes.join(", ")}).`;
  throw badRequest("validation", `Invalid request body: permissionMode: ${message}`, { issues: [{ path: "permissionMode", message }] });
}

/**
 * The task's reviewer: as given (null: none), else the workspace's. The model: as given, else the
 * workspace's when the backends match, else the user's default for the reviewer's backend.
 */
async function reviewerOf(input: TaskCreateInput, workspace: { reviewBackend: string | null; reviewModel: string | null }): Promise<{ reviewBackend: string | null; reviewModel: string | null }> {
  const backend = input.reviewBackend === undefined ? (workspace.reviewBackend as Backend | null) : input.reviewBackend;
  if (!backend) return { reviewBackend: null, reviewModel: null };
  const model = input.reviewModel ?? (backend === workspace.reviewBackend ? workspace.reviewModel : null) ?? (await defaultModel(backend));
  return { reviewBackend: backend, reviewModel: model };
}

/** `parentTaskId`: the task whose agent queued this one through the MCP server (server/mcp/subtasks.ts). */
export async function createTask(input: TaskCreateInput, options: { parentTaskId?: number } = {}): Promise<TaskDto> {
  checkPermissionMode(input.backend, input.permissionMode);
  const target = await taskTarget(input);
  const dependsOn = [...new Set(input.dependsOn ?? [])];
  const dependencyMode = input.dependencyMode ?? "merged";
  if (target.workspaceId !== null) await checkDependencies({ workspaceId: target.workspaceId, dependsOn, mode: dependencyMode });
  // Independent of each other: asked at once.
  const [model, reviewer] = await Promise.all([input.model ?? defaultModel(input.backend), reviewerOf(input, target.defaults)]);
  const now = new Date();
  const history: PromptHistoryEntry[] = [{ prompt: input.prompt, at: now.toISOString(), kind: "initial" }];
  const fields: NewTask = {
    workspaceId: target.workspaceId,
    poolId: target.poolId,
    title: input.title ?? titleFromPrompt(input.prompt),
    prompt: input.prompt,
    backend: input.backend,
    model,
    permissionMode: input.permissionMode ?? getAdapter(input.backend).defaultPermissionMode,
    promptHistory: JSON.stringify(history),
    queuedAt: now,
    parentTaskId: options.parentTaskId ?? null,
    dependsOn: JSON.stringify(dependsOn),
    dependencyMode,
    fallbackBackend: input.fallbackBackend ?? null,
    gpus: input.gpus ?? 0,
    ...reviewer,
  };
  // Without Prisma in one transaction (insert-task.ts); while another writer holds the lock,
  // through Prisma, which waits for it.
  const task: Task | TaskRow = insertTaskDirect(fields, target.numberedIn) ?? (await createTaskWithPrisma(fields, target.numberedIn));
  services().bus.publishBoard({ type: "task.created", taskId: task.id, workspaceId: task.workspaceId, status: "TODO" });
  services().scheduler.queued(task);
  return toTaskDto(task);
}

/** The task's number, its row and its branch through Prisma: the path when the direct connection finds the database busy. */
async function createTaskWithPrisma(fields: NewTask, numberedIn: number[]): Promise<Task> {
  const row = await db().task.create({ data: { ...fields, number: await nextTaskNumber(numberedIn) } });
  return db().task.update({ where: { id: row.id }, data: { branch: `task-${row.id}` } });
}

export { boardTasks, countTasks, listTasks } from "./list";

export async function updateTask(id: number, patch: TaskUpdateInput): Promise<TaskDto> {
  const current = await findTask(id);
  if (current.status !== "TODO") throw conflict("task_not_editable", `Task ${id} is ${current.status}: only a TODO task can be edited.`);
  const { dependsOn, dependencyMode, ...fields } = patch;
  const data: Prisma.TaskUpdateInput = { ...fields };
  if (dependsOn !== undefined || dependencyMode !== undefined) {
    const ids = [...new Set(dependsOn ?? parseJson<number[]>(current.dependsOn, []))];
    const mode = dependencyMode ?? (current.dependencyMode as DependencyMode);
    if (current.workspaceId === null) throw unprocessable("dependency_pool", "A pool task cannot wait for other tasks: dependencies stack branches within one workspace.");
    await checkDependencies({ taskId: id, workspaceId: current.workspaceId, dependsOn: ids, mode });
    Object.assign(data, { dependsOn: JSON.stringify(ids), dependencyMode: mode });
  }
  if (patch.prompt !== undefined) {
    const history = JSON.parse(current.promptHistory) as PromptHistoryEntry[];
    const last = history[history.length - 1];
    if (last) last.prompt = patch.prompt;
    data.promptHistory = JSON.stringify(history);
  }
  // Only while still TODO: a dispatch that won the race keeps what it started with.
  const { count } = await db().task.updateMany({ where: { id, status: "TODO" }, data: data as Prisma.TaskUpdateManyMutationInput });
  if (count === 0) throw conflict("task_not_editable", `Task ${id} has just started: only a TODO task can be edited.`);
  services().bus.publishBoard({ type: "task.updated", taskId: id, workspaceId: current.workspaceId, status: "TODO" });
  // A removed dependency may let it start now.
  if (dependsOn !== undefined) services().scheduler.poke("dependencies changed");
  return getTask(id);
}

/** Creates the tasks of a chain in order; each waits for the items it names in `after` (else the one before). */
export async function createTaskChain(items: (TaskCreateInput & { after?: number[] })[]): Promise<TaskDto[]> {
  const workspaceId = items[0]!.workspaceId;
  if (workspaceId === undefined || items.some((item) => item.poolId != null)) throw unprocessable("chain_workspace", "A chain runs in one workspace: give each item its workspaceId (pools take single tasks).");
  items.forEach((item, index) => {
    if (item.workspaceId !== workspaceId) throw unprocessable("dependency_workspace", `Item ${index} names another workspace: a chain stays within one.`);
    const bad = (item.after ?? []).filter((at) => at >= index);
    if (bad.length > 0) throw unprocessable("dependency_order", `Item ${index} can only wait for earlier items (after: ${bad.join(", ")}).`);
    const parents = (item.after ?? (index > 0 ? [index - 1] : [])).length + (item.dependsOn?.length ?? 0);
    if (item.dependencyMode === "done" && parents !== 1) throw unprocessable("dependency_mode", `Item ${index}: dependencyMode "done" needs exactly one parent.`);
  });
  // Checked before anything is created: a refused chain creates nothing.
  await checkDependencies({ workspaceId, dependsOn: items.flatMap((item) => item.dependsOn ?? []), mode: "merged" });
  const created: TaskDto[] = [];
  for (const [index, { after, ...item }] of items.entries()) {
    const fromChain = (after ?? (index > 0 ? [index - 1] : [])).map((at) => created[at]!.id);
    created.push(await createTask({ ...item, dependsOn: [...fromChain, ...(item.dependsOn ?? [])] }));
  }
  return created;
}

import "server-only";
import { conflict, notFound, unprocessable } from "@/lib/errors";
import type { WorkspaceCreateInput, WorkspaceDto, WorkspaceUpdateInput } from "@/lib/schemas/workspace";
import { db } from "@/server/db/client";
import type { Workspace } from "@/server/db/generated/client";
import { toWorkspaceDto } from "@/server/db/serialize";
import { localTransport } from "@/server/exec/transport-for";
import { branchExists, currentBranch, isGitRepo } from "@/server/git/repo";
import { services } from "@/server/services";
import { keepWorkspaceUsage } from "@/server/usage/deleted";

export async function findWorkspace(id: number): Promise<Workspace> {
  const row = await db().workspace.findUnique({ where: { id } });
  if (!row) throw notFound("workspace", id);
  return row;
}

async function taskCountsByWorkspace(): Promise<Map<number, Record<string, number>>> {
  const groups = await db().task.groupBy({ by: ["workspaceId", "status"], _count: { _all: true } });
  const counts = new Map<number, Record<string, number>>();
  for (const group of groups) {
    // Pool tasks not placed yet belong to no workspace.
    if (group.workspaceId === null) continue;
    const entry = counts.get(group.workspaceId) ?? { TODO: 0, RUNNING: 0, DONE: 0, FAILED: 0 };
    entry[group.status] = group._count._all;
    counts.set(group.workspaceId, entry);
  }
  return counts;
}

export async function listWorkspaces(): Promise<WorkspaceDto[]> {
  const [rows, counts] = await Promise.all([db().workspace.findMany({ orderBy: { id: "asc" } }), taskCountsByWorkspace()]);
  return rows.map((row) => toWorkspaceDto(row, counts.get(row.id) ?? { TODO: 0, RUNNING: 0, DONE: 0, FAILED: 0 }));
}

export async function getWorkspace(id: number): Promise<WorkspaceDto> {
  const row = await findWorkspace(id);
  const counts = await taskCountsByWorkspace();
  return toWorkspaceDto(row, counts.get(id) ?? { TODO: 0, RUNNING: 0, DONE: 0, FAILED: 0 });
}

/** Checks a local repository and settles its base branch (the repo's current branch by default). */
async function checkLocalRepo(path: string, baseBranch: string | null | undefined): Promise<string> {
  const transport = localTransport();
  if (!(await transport.pathExists(path))) throw unprocessable("workspace_path", `The path ${path} does not exist.`);
  if (!(await isGitRepo(transport, path))) throw unprocessable("workspace_path", `The path ${path} is not a git repository.`);
  if (baseBranch) {
    if (!(await branchExists(transport, path, baseBranch))) {
      throw unprocessable("workspace_base_branch", `The repository at ${path} has no branch ${baseBranch}.`);
    }
    return baseBranch;
  }
  const branch = await currentBranch(transport, path);
  if (!branch) throw unprocessable("workspace_base_branch", `The repository at ${path} is on a detached HEAD: give a base branch.`);
  return branch;
}

async function ensureNameFree(name: string, exceptId?: number): Promise<void> {
  const existing = await db().workspace.findUnique({ where: { name } });
  if (existing && existing.id !== exceptId) throw conflict("workspace_name", `A workspace named "${name}" exists already.`);
}

export async function createWorkspace(input: WorkspaceCreateInput): Promise<WorkspaceDto> {
  await ensureNameFree(input.name);
  const baseBranch = input.type === "local" ? await checkLocalRepo(input.path, input.baseBranch) : (input.baseBranch ?? "main");
  const row = await db().workspace.create({
    data: {
      name: input.name,
      type: input.type,
      path: input.path,
      host: input.host ?? null,
      port: input.port ?? (input.type === "local" ? null : 22),
      user: input.user ?? null,
      identityFile: input.identityFile ?? null,
      containerName: input.containerName ?? null,
      loginShell: input.loginShell,
      concurrencyLimit: input.concurrencyLimit,
      gpuIndices: JSON.stringify(input.gpuIndices),
      minFreeMemoryMb: input.minFreeMemoryMb,
      baseBranch,
      notes: input.notes,
      worktreeRoot: input.worktreeRoot ?? null,
      taskTimeoutSec: input.taskTimeoutSec,
      agentMcp: input.agentMcp,
      maxSubtasks: input.maxSubtasks,
      setupScript: input.setupScript ?? null,
      setupTimeoutSec: input.setupTimeoutSec,
      checkCommand: input.checkCommand ?? null,
      checkTimeoutSec: input.checkTimeoutSec,
      fixRounds: input.fixRounds,
      reviewBackend: input.reviewBackend ?? null,
      reviewModel: input.reviewModel ?? null,
      reviewRounds: input.reviewRounds,
      autoMerge: input.autoMerge,
      autoResolve: input.autoResolve,
      updateStrategy: input.updateStrategy,
      gitRemote: input.gitRemote,
    },
  });
  services().bus.publishBoard({ type: "workspace.changed", workspaceId: row.id });
  return toWorkspaceDto(row, { TODO: 0, RUNNING: 0, DONE: 0, FAILED: 0 });
}

export async function updateWorkspace(id: number, patch: WorkspaceUpdateInput): Promise<WorkspaceDto> {
  const current = await findWorkspace(id);
  if (patch.name !== undefined) await ensureNameFree(patch.name, id);
  const path = patch.path ?? current.path;
  let baseBranch = patch.baseBranch ?? current.baseBranch;
  if (current.type === "local" && (patch.path !== undefined || patch.baseBranch !== undefined)) {
    baseBranch = await checkLocalRepo(path, patch.baseBranch ?? (patch.path !== undefined ? null : current.baseBranch));
  }
  const { gpuIndices, ...rest } = patch;
  await db().workspace.update({
    where: { id },
    data: { ...rest, baseBranch, ...(gpuIndices ? { gpuIndices: JSON.stringify(gpuIndices) } : {}) },
  });
  services().bus.publishBoard({ type: "workspace.changed", workspaceId: id });
  // A raised concurrency limit frees room at once.
  services().scheduler.poke("workspace updated");
  return getWorkspace(id);
}

export async function deleteWorkspace(id: number): Promise<void> {
  await findWorkspace(id);
  // One conditional statement: a task dispatched meanwhile makes it delete nothing. Its runs'
  // usage is kept in the same transaction, under the same condition (server/usage/deleted.ts).
  const [, { count }] = await db().$transaction([keepWorkspaceUsage(id), db().workspace.deleteMany({ where: { id, tasks: { none: { status: "RUNNING" } } } })]);
  if (count === 0) {
    const running = await db().task.count({ where: { workspaceId: id, status: "RUNNING" } });
    throw conflict("workspace_busy", `The workspace has ${running} running task(s): cancel them or wait before deleting it.`);
  }
  services().bus.publishBoard({ type: "workspace.changed", workspaceId: id });
}

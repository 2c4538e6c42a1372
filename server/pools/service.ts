import "server-only";
import { conflict, notFound, unprocessable } from "@/lib/errors";
import type { Pool, PoolCreate, PoolUpdate } from "@/lib/schemas/pool";
import { db } from "@/server/db/client";
import type { Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import { tryGit } from "@/server/git/run-git";
import { normalizeRemoteUrl, strangers, type RepoIdentity } from "./same-repo";

const CHECK_TIMEOUT_MS = 20_000;
const include = { members: { select: { workspaceId: true }, orderBy: { workspaceId: "asc" as const } } };

type PoolRow = { id: number; name: string; createdAt: Date; updatedAt: Date; members: { workspaceId: number }[] };

function toPool(row: PoolRow): Pool {
  return { id: row.id, name: row.name, workspaceIds: row.members.map((member) => member.workspaceId), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function listPools(): Promise<Pool[]> {
  return (await db().pool.findMany({ include, orderBy: { id: "asc" } })).map(toPool);
}

export async function getPool(id: number): Promise<Pool> {
  const row = await db().pool.findUnique({ where: { id }, include });
  if (!row) throw notFound("pool", id);
  return toPool(row);
}

/** What the workspace's repository is, read on its host. */
async function identify(workspace: Workspace): Promise<RepoIdentity> {
  const transport = transportFor(workspace);
  try {
    const [remote, roots] = await Promise.all([
      tryGit(transport, workspace.path, ["remote", "get-url", "origin"], { timeoutMs: CHECK_TIMEOUT_MS }),
      tryGit(transport, workspace.path, ["rev-list", "--max-parents=0", "HEAD"], { timeoutMs: CHECK_TIMEOUT_MS }),
    ]);
    if (roots.exitCode !== 0) throw new Error(roots.stderr.trim() || `git rev-list exited ${roots.exitCode}`);
    return {
      workspaceId: workspace.id,
      name: workspace.name,
      remoteUrl: remote.exitCode === 0 ? normalizeRemoteUrl(remote.stdout) : null,
      rootCommits: roots.stdout.split("\n").map((line) => line.trim()).filter(Boolean),
    };
  } catch (error) {
    throw unprocessable("pool_workspace_unreadable", `Could not read the repository of workspace ${workspace.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** 422 unless every workspace exists and holds the same repository. */
async function checkMembers(workspaceIds: number[]): Promise<void> {
  const workspaces = await db().workspace.findMany({ where: { id: { in: workspaceIds } } });
  const missing = workspaceIds.filter((id) => !workspaces.some((workspace) => workspace.id === id));
  if (missing.length > 0) throw unprocessable("pool_workspace", `No workspace with id ${missing.join(", ")}.`);
  const ordered = workspaceIds.map((id) => workspaces.find((workspace) => workspace.id === id)!);
  const identities = await Promise.all(ordered.map(identify));
  const others = strangers(identities);
  if (others.length > 0) {
    throw unprocessable(
      "pool_repository",
      `Not the repository of ${identities[0]!.name} (no shared remote URL or root commit): ${others.map((other) => other.name).join(", ")}.`,
      { workspaceIds: others.map((other) => other.workspaceId) },
    );
  }
}

async function ensureNameFree(name: string, exceptId?: number): Promise<void> {
  const existing = await db().pool.findUnique({ where: { name } });
  if (existing && existing.id !== exceptId) throw conflict("pool_name", `A pool named "${name}" exists already.`);
}

export async function createPool(input: PoolCreate): Promise<Pool> {
  await ensureNameFree(input.name);
  await checkMembers(input.workspaceIds);
  const row = await db().pool.create({ data: { name: input.name, members: { create: input.workspaceIds.map((workspaceId) => ({ workspaceId })) } }, include });
  return toPool(row);
}

export async function updatePool(id: number, input: PoolUpdate): Promise<Pool> {
  await getPool(id);
  if (input.name !== undefined) await ensureNameFree(input.name, id);
  if (input.workspaceIds) await checkMembers(input.workspaceIds);
  // One statement per table; the members are replaced as a whole.
  await db().$transaction([
    db().pool.update({ where: { id }, data: { ...(input.name !== undefined ? { name: input.name } : {}), updatedAt: new Date() } }),
    ...(input.workspaceIds
      ? [db().poolMember.deleteMany({ where: { poolId: id } }), db().poolMember.createMany({ data: input.workspaceIds.map((workspaceId) => ({ poolId: id, workspaceId })) })]
      : []),
  ]);
  return getPool(id);
}

/** Refused while tasks wait to be placed from it: they would be left with neither a workspace nor a pool. */
export async function deletePool(id: number): Promise<void> {
  await getPool(id);
  const waiting = await db().task.count({ where: { poolId: id, workspaceId: null, status: { in: ["TODO", "RUNNING"] } } });
  if (waiting > 0) throw conflict("pool_has_tasks", `${waiting} task(s) wait to be placed from this pool: cancel or delete them first.`);
  await db().pool.delete({ where: { id } });
}

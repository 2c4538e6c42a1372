import "server-only";
import { notFound, unprocessable } from "@/lib/errors";
import type { TaskCreateInput } from "@/lib/schemas/task";
import { db } from "@/server/db/client";
import { directRead } from "@/server/db/log-connection";
import type { Workspace } from "@/server/db/generated/client";

/**
 * Where a new task goes: one workspace, or a pool whose member the scheduler picks later
 * (server/scheduler/plan.ts). `defaults` is the workspace whose settings (its reviewer) a new
 * task copies: for a pool, its first member.
 */
export interface TaskTarget {
  workspaceId: number | null;
  poolId: number | null;
  defaults: Pick<Workspace, "reviewBackend" | "reviewModel">;
  /** The workspaces whose counters give the task's number. */
  numberedIn: number[];
}

const WORKSPACE_DEFAULTS = `SELECT "id", "reviewBackend", "reviewModel" FROM "Workspace" WHERE "id" = ?`;

export async function taskTarget(input: Pick<TaskCreateInput, "workspaceId" | "poolId" | "dependsOn">): Promise<TaskTarget> {
  const hasWorkspace = input.workspaceId !== undefined && input.workspaceId !== null;
  const hasPool = input.poolId !== undefined && input.poolId !== null;
  if (hasWorkspace === hasPool) {
    throw unprocessable("task_target", "Give exactly one of workspaceId (a workspace) or poolId (a pool whose member the scheduler picks).");
  }
  if (hasWorkspace) {
    // Read directly (server/db/log-connection.ts): through Prisma, this one row cost about a tenth
    // of a POST's time on the server's thread.
    const [workspace] = directRead<Pick<Workspace, "id" | "reviewBackend" | "reviewModel">>(WORKSPACE_DEFAULTS, input.workspaceId);
    if (!workspace) throw unprocessable("workspace", `No workspace with id ${input.workspaceId}.`);
    return { workspaceId: workspace.id, poolId: null, defaults: workspace, numberedIn: [workspace.id] };
  }
  const pool = await db().pool.findUnique({ where: { id: input.poolId! }, include: { members: { include: { workspace: true }, orderBy: { workspaceId: "asc" } } } });
  if (!pool) throw notFound("pool", input.poolId);
  if (pool.members.length === 0) throw unprocessable("pool_empty", `Pool ${pool.name} has no members: add a workspace to it first.`);
  if ((input.dependsOn ?? []).length > 0) {
    throw unprocessable("dependency_pool", "A pool task cannot wait for other tasks: dependencies stack branches within one workspace.");
  }
  return { workspaceId: null, poolId: pool.id, defaults: pool.members[0]!.workspace, numberedIn: pool.members.map((member) => member.workspaceId) };
}

/**
 * The task's number, from one atomic UPDATE ... RETURNING, so concurrent creates never share one.
 * A pool task takes a number free in every member (each counter moves past it), so it keeps it
 * wherever it is placed; the claim renumbers it only on a member that joined the pool later.
 * Its two parameters are the workspaces' ids as one JSON array, twice (insert-task.ts runs it too).
 */
export const NEXT_NUMBER_SQL = `UPDATE "Workspace" SET "nextTaskNumber" = (SELECT MAX("nextTaskNumber") FROM "Workspace" WHERE "id" IN (SELECT "value" FROM json_each(?))) + 1 WHERE "id" IN (SELECT "value" FROM json_each(?)) RETURNING "nextTaskNumber" - 1 AS "number"`;

export async function nextTaskNumber(workspaceIds: number[]): Promise<number> {
  const ids = JSON.stringify(workspaceIds);
  const rows = await db().$queryRawUnsafe<{ number: number }[]>(NEXT_NUMBER_SQL, ids, ids);
  return Number(rows[0]!.number);
}

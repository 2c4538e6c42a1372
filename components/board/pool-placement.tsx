"use client";

import { Boxes } from "lucide-react";
import { usePools } from "@/lib/hooks/use-pools";
import { useWorkspaces } from "@/lib/hooks/use-workspaces";
import type { TaskDto } from "@/lib/schemas/task";

/**
 * Where a pool task is: still waiting for a member (its waiting reason says why), or the member
 * it was placed on and that member's host. Shown on cards and the task page of pool tasks only.
 */
export function PoolPlacement({ task }: { task: Pick<TaskDto, "poolId" | "workspaceId"> }) {
  const { pools } = usePools();
  const { workspaces } = useWorkspaces();
  if (task.poolId === null) return null;
  const pool = pools?.find((entry) => entry.id === task.poolId);
  const member = task.workspaceId === null ? undefined : workspaces?.find((entry) => entry.id === task.workspaceId);
  const host = member ? (member.type === "local" ? "this machine" : member.host) : null;
  return (
    <p className="inline-flex items-center gap-1 text-xs text-muted-foreground" data-testid="pool-placement">
      <Boxes className="size-3" aria-hidden />
      {task.workspaceId === null
        ? `Pool ${pool?.name ?? task.poolId}: waiting for a member`
        : `Pool ${pool?.name ?? task.poolId}: on ${member?.name ?? `workspace ${task.workspaceId}`}${host ? ` (${host})` : ""}`}
    </p>
  );
}

"use client";

import type { ChangeEvent, ComponentProps } from "react";
import { Select } from "@/components/ui/select";
import type { Pool } from "@/lib/schemas/pool";
import type { WorkspaceDto } from "@/lib/schemas/workspace";

/** Where a new task goes: a workspace (its id as the value) or a pool (`pool:<id>`), whose member the scheduler picks. */
export function TaskTargetSelect({
  workspaces, pools, workspaceId, poolId, onTarget, ...control
}: Omit<ComponentProps<typeof Select>, "value" | "onChange"> & { workspaces: WorkspaceDto[] | undefined; pools: Pool[] | undefined; workspaceId: number; poolId: number; onTarget: (target: { workspaceId: number } | { poolId: number }) => void }) {
  const change = (event: ChangeEvent<HTMLSelectElement>) => {
    const pooled = /^pool:(\d+)$/.exec(event.target.value);
    onTarget(pooled ? { poolId: Number(pooled[1]) } : { workspaceId: Number(event.target.value) || 0 });
  };
  return (
    <Select {...control} value={poolId ? `pool:${poolId}` : workspaceId || ""} onChange={change}>
      {!workspaces ? <option value="">Loading…</option> : null}
      {workspaces?.map((workspace) => (
        <option key={workspace.id} value={workspace.id}>
          {workspace.name}
        </option>
      ))}
      {pools && pools.length > 0 ? (
        <optgroup label="Pools">
          {pools.map((pool) => (
            <option key={pool.id} value={`pool:${pool.id}`}>
              Pool {pool.name} ({pool.workspaceIds.length} member{pool.workspaceIds.length === 1 ? "" : "s"})
            </option>
          ))}
        </optgroup>
      ) : null}
    </Select>
  );
}

"use client";

import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { formatBytes, formatPercent } from "@/lib/format";
import { useWorkspaceResources } from "@/lib/hooks/use-workspace-status";

function Meter({ label, detail, value }: { label: string; detail: string; value: number }) {
  return (
    <div className="grid gap-1">
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="truncate text-muted-foreground">{label}</span>
        <span className="shrink-0 font-mono text-[11px] tabular-nums text-muted-foreground">{detail}</span>
      </div>
      <Progress value={value} label={`${label}: ${detail}`} />
    </div>
  );
}

/** Memory and GPU meters of a workspace's host; nothing when the host does not report them. */
export function WorkspaceResources({ workspaceId, gpuIndices }: { workspaceId: number; gpuIndices: number[] }) {
  const { resources, isLoading } = useWorkspaceResources(workspaceId);
  if (isLoading && !resources) {
    return (
      <div className="grid gap-2" aria-hidden>
        <Skeleton className="h-2.5 w-2/3" />
        <Skeleton className="h-1.5" />
      </div>
    );
  }
  if (!resources) return <p className="text-xs text-muted-foreground">Resource figures unavailable.</p>;
  // The workspace's own GPUs first; all of them when none is assigned.
  const gpus = resources.gpus.filter((gpu) => gpuIndices.length === 0 || gpuIndices.includes(gpu.index));
  const memory = resources.memory;
  const load = resources.load?.[0];
  return (
    <div className="grid gap-2.5" data-testid="workspace-resources">
      {load != null && resources.cpus ? (
        <Meter label="CPU load" detail={`${load.toFixed(2)} / ${resources.cpus} cores`} value={formatPercent(load, resources.cpus)} />
      ) : null}
      {memory ? (
        <Meter
          label="Memory"
          detail={`${formatBytes(memory.totalBytes - memory.availableBytes)} / ${formatBytes(memory.totalBytes)}`}
          value={formatPercent(memory.totalBytes - memory.availableBytes, memory.totalBytes)}
        />
      ) : null}
      {gpus.map((gpu) => (
        <Meter
          key={gpu.index}
          label={`GPU ${gpu.index} · ${gpu.name} · ${Math.round(gpu.utilizationPct)}%`}
          detail={`${(gpu.memoryUsedMiB / 1024).toFixed(1)} / ${(gpu.memoryTotalMiB / 1024).toFixed(0)} GiB`}
          value={formatPercent(gpu.memoryUsedMiB, gpu.memoryTotalMiB)}
        />
      ))}
    </div>
  );
}

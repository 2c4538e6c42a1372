"use client";

import { CircleHelp, HeartPulse, TriangleAlert, Unplug } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Spinner } from "@/components/ui/spinner";
import { BACKEND_LABELS, BACKENDS } from "@/lib/enums";
import { errorMessage } from "@/lib/api-client";
import { formatBytes } from "@/lib/format";
import { useWorkspaceHealth, type WorkspaceHealth } from "@/lib/hooks/use-workspace-status";

/** A one-line summary of a health report, for a tooltip. */
export function healthSummary(health: WorkspaceHealth): string {
  const agents = BACKENDS.map((backend) => {
    const agent = health.agents?.[backend];
    return `${BACKEND_LABELS[backend]}: ${agent?.available ? (agent.version ?? "available") : "missing"}`;
  });
  return [
    health.reachable ? "reachable" : "unreachable",
    health.isGitRepo ? `git repo on ${health.baseBranch ?? "?"}` : "not a git repository",
    health.tmux ? `tmux ${health.tmux}` : "no tmux",
    ...agents,
    health.freeDiskBytes != null ? `${formatBytes(health.freeDiskBytes)} free` : null,
    health.error,
  ]
    .filter(Boolean)
    .join(" · ");
}

export function healthVerdict(health: WorkspaceHealth): { label: string; variant: "success" | "warning" | "destructive" } {
  if (!health.reachable) return { label: "Unreachable", variant: "destructive" };
  if (!health.isGitRepo) return { label: "Not a git repo", variant: "destructive" };
  const anyAgent = BACKENDS.some((backend) => health.agents?.[backend]?.available);
  if (!anyAgent) return { label: "No agent CLI", variant: "warning" };
  if (health.error) return { label: "Degraded", variant: "warning" };
  return { label: "Healthy", variant: "success" };
}

export function WorkspaceHealthBadge({ workspaceId }: { workspaceId: number }) {
  const { health, error, isLoading } = useWorkspaceHealth(workspaceId);
  if (isLoading && !health) {
    return (
      <Badge variant="muted" data-testid="health-badge" data-health="checking">
        <Spinner className="size-3" />
        Checking
      </Badge>
    );
  }
  if (!health) {
    return (
      <Badge variant="muted" title={error ? errorMessage(error) : undefined} data-testid="health-badge" data-health="unknown">
        <CircleHelp aria-hidden />
        Unknown
      </Badge>
    );
  }
  const verdict = healthVerdict(health);
  const Icon = verdict.variant === "success" ? HeartPulse : verdict.variant === "warning" ? TriangleAlert : Unplug;
  return (
    <Badge variant={verdict.variant} title={healthSummary(health)} data-testid="health-badge" data-health={verdict.label}>
      <Icon aria-hidden />
      {verdict.label}
    </Badge>
  );
}

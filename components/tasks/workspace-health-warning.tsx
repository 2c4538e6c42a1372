"use client";

import { TriangleAlert } from "lucide-react";
import { BACKEND_LABELS, type Backend } from "@/lib/enums";
import { useWorkspaceHealth, type WorkspaceHealth } from "@/lib/hooks/use-workspace-status";

/** What is wrong with a workspace for a task of this backend, in words; empty when nothing is. */
export function healthProblems(health: WorkspaceHealth, backend: Backend): string[] {
  if (!health.reachable) return [`The workspace cannot be reached${health.error ? `: ${health.error}` : "."}`];
  const problems: string[] = [];
  if (!health.isGitRepo) problems.push("Its path is not a git repository.");
  if (health.agents[backend] && !health.agents[backend]!.available) problems.push(`${BACKEND_LABELS[backend]} is not installed there.`);
  return problems;
}

/** Warns before a task is queued on a workspace whose health check fails; the task can still be queued. */
export function WorkspaceHealthWarning({ workspaceId, backend }: { workspaceId: number | null; backend: Backend }) {
  const { health } = useWorkspaceHealth(workspaceId);
  const problems = health ? healthProblems(health, backend) : [];
  if (problems.length === 0) return null;
  return (
    <p className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-[13px]" data-testid="workspace-health-warning" role="status">
      <TriangleAlert className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />
      <span>
        {problems.join(" ")} The task would fail when it starts; fix the workspace first, or queue it anyway.
      </span>
    </p>
  );
}

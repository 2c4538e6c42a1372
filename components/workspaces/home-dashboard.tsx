"use client";

import { FolderGit2, GitMerge, Plus, RotateCw, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { RecentTasks } from "@/components/tasks/recent-tasks";
import { Button, buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { QuotaBanners } from "@/components/usage/quota-banners";
import { QuotaWindows } from "@/components/usage/quota-windows";
import { UsageSummary } from "@/components/usage/usage-summary";
import { errorMessage } from "@/lib/api-client";
import { useWorkspaces } from "@/lib/hooks/use-workspaces";
import { useReadyToMerge } from "@/lib/hooks/use-tasks";
import { WorkspaceCard } from "./workspace-card";

function NewWorkspaceLink({ variant = "default" }: { variant?: "default" | "outline" }) {
  return (
    <Link href="/workspaces/new" className={buttonVariants({ variant, size: "sm" })}>
      <Plus aria-hidden />
      New workspace
    </Link>
  );
}

function WorkspaceGrid() {
  const { workspaces, error, isLoading, mutate } = useWorkspaces();
  if (isLoading && !workspaces) {
    return (
      <div className="grid gap-4 md:grid-cols-2" aria-busy="true" aria-label="Loading workspaces">
        <Skeleton className="h-64 rounded-xl" />
        <Skeleton className="h-64 rounded-xl" />
      </div>
    );
  }
  if (error && !workspaces) {
    return (
      <EmptyState
        icon={TriangleAlert}
        tone="error"
        title="Workspaces could not be loaded"
        description={errorMessage(error)}
        action={
          <Button variant="outline" size="sm" onClick={() => void mutate()}>
            <RotateCw aria-hidden />
            Try again
          </Button>
        }
      />
    );
  }
  if (!workspaces || workspaces.length === 0) {
    return (
      <EmptyState
        icon={FolderGit2}
        title="Create your first workspace"
        description="A workspace is a git repository, on this machine, over SSH or inside a container on an SSH host. Tasks run in their own worktrees of it."
        action={
          <Link href="/workspaces/new" className={buttonVariants()}>
            <Plus aria-hidden />
            Create workspace
          </Link>
        }
        className="py-16"
      />
    );
  }
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {workspaces.map((workspace) => (
        <WorkspaceCard key={workspace.id} workspace={workspace} />
      ))}
    </div>
  );
}

/** How many tasks wait only for a merge: approved, checks not failing. */
function ReadyToMerge() {
  const { ready } = useReadyToMerge();
  if (!ready) return null;
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="ready-to-merge">
      <GitMerge className="size-4 text-success" aria-hidden />
      {ready.length === 0 ? "No task is ready to merge." : `${ready.length} task${ready.length === 1 ? " is" : "s are"} ready to merge.`}
    </span>
  );
}

export function HomeDashboard() {
  const { workspaces } = useWorkspaces();
  const names = useMemo(() => new Map((workspaces ?? []).map((workspace) => [workspace.id, workspace.name])), [workspaces]);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Workspaces"
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span>Repositories your agents work in, and what they are doing now.</span>
            <ReadyToMerge />
          </span>
        }
        actions={<NewWorkspaceLink variant="outline" />}
      />
      <QuotaBanners />
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <WorkspaceGrid />
        <aside className="flex min-w-0 flex-col gap-6" aria-label="Summary">
          <UsageSummary />
          <QuotaWindows />
          <RecentTasks workspaceNames={names} />
        </aside>
      </div>
    </div>
  );
}

"use client";

import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api-client";
import { useWorkspace } from "@/lib/hooks/use-workspaces";
import { DeleteWorkspace } from "./delete-workspace";
import { WorkspaceForm } from "./workspace-form";

export function EditWorkspace({ workspaceId }: { workspaceId: number }) {
  const { workspace, error } = useWorkspace(workspaceId);
  if (error && !workspace) {
    return <EmptyState icon={TriangleAlert} tone="error" title="Workspace not found" description={errorMessage(error)} className="mt-6" />;
  }
  return (
    <div className="mx-auto grid max-w-4xl gap-6">
      <PageHeader
        eyebrow={
          <span className="flex items-center gap-1.5">
            <Link href="/" className="hover:text-foreground">Workspaces</Link>
            <span aria-hidden>/</span>
            {workspace ? <Link href={`/workspaces/${workspace.id}/board`} className="hover:text-foreground">{workspace.name}</Link> : null}
          </span>
        }
        title={workspace ? `Edit ${workspace.name}` : "Edit workspace"}
      />
      {workspace ? (
        <>
          {/* Keyed by id so navigating between workspaces resets the form. */}
          <WorkspaceForm key={workspace.id} workspace={workspace} />
          <DeleteWorkspace workspace={workspace} />
        </>
      ) : (
        <div className="grid gap-5" aria-busy="true" aria-label="Loading workspace">
          <Skeleton className="h-56 rounded-xl" />
          <Skeleton className="h-72 rounded-xl" />
        </div>
      )}
    </div>
  );
}

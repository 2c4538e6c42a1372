import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { NewTaskForm } from "@/components/tasks/new-task-form";

export const metadata: Metadata = { title: "New task" };

export default async function NewTaskPage({ searchParams }: { searchParams: Promise<{ workspaceId?: string | string[] }> }) {
  const raw = (await searchParams).workspaceId;
  const workspaceId = Number(Array.isArray(raw) ? raw[0] : raw);
  return (
    <div className="mx-auto grid max-w-4xl gap-6">
      <PageHeader title="New task" description="Describe the change. The agent works on its own branch in its own worktree; you review the diff and merge." />
      <NewTaskForm initialWorkspaceId={Number.isInteger(workspaceId) && workspaceId > 0 ? workspaceId : undefined} />
    </div>
  );
}

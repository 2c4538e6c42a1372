import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { WorkspaceForm } from "@/components/workspaces/workspace-form";

export const metadata: Metadata = { title: "New workspace" };

export default function NewWorkspacePage() {
  return (
    <div className="mx-auto grid max-w-4xl gap-6">
      <PageHeader
        eyebrow={<Link href="/" className="hover:text-foreground">Workspaces</Link>}
        title="New workspace"
        description="Point AI-Slave at a git repository: on this machine, over SSH, or in a container on an SSH host."
      />
      <WorkspaceForm />
    </div>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EditWorkspace } from "@/components/workspaces/edit-workspace";

export const metadata: Metadata = { title: "Edit workspace" };

export default async function EditWorkspacePage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return <EditWorkspace workspaceId={id} />;
}

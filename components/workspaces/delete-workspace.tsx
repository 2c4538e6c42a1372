"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { mutate } from "swr";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { api, errorMessage } from "@/lib/api-client";
import { toast } from "@/lib/hooks/use-toast";
import { workspaceKey, workspacesKey } from "@/lib/hooks/use-workspaces";
import type { WorkspaceDto } from "@/lib/schemas/workspace";

export function DeleteWorkspace({ workspace }: { workspace: WorkspaceDto }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);

  async function remove() {
    try {
      await api.delete(workspaceKey(workspace.id));
    } catch (error) {
      toast.error("Could not delete the workspace", errorMessage(error));
      throw error;
    }
    toast.success(`Deleted ${workspace.name}`);
    void mutate(workspacesKey);
    router.push("/");
  }

  return (
    <Card className="flex flex-wrap items-center justify-between gap-4 border-destructive/30 p-5">
      <div className="grid gap-1">
        <h2 className="text-sm font-semibold">Delete workspace</h2>
        <p className="text-[13px] text-muted-foreground">Removes the workspace and its tasks from AI-Slave. The repository and its branches stay.</p>
      </div>
      <Button variant="destructive" onClick={() => setOpen(true)}>
        <Trash2 aria-hidden />
        Delete workspace
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${workspace.name}?`}
        description="Its tasks and their history are deleted too. A workspace with running tasks cannot be deleted."
        confirmLabel="Delete workspace"
        destructive
        onConfirm={remove}
      />
    </Card>
  );
}

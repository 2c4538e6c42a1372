"use client";

import { CircleStop, GitMerge, MessageSquarePlus, RotateCcw, Trash2, type LucideIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useTaskActions, type TaskAction } from "@/lib/hooks/use-task-actions";
import type { MergeOutcome } from "@/lib/schemas/task";
import type { TaskDto } from "@/lib/schemas/task";
import { CancelTaskDialog, ContinueDialog, DeleteTaskDialog, MergeDialog } from "./task-dialogs";

type Dialog = "cancel" | "continue" | "merge" | "delete" | null;

/** Which actions a task in this state offers. */
export function availableActions(task: Pick<TaskDto, "status" | "mergedAt">): TaskAction[] {
  switch (task.status) {
    case "TODO":
      return ["cancel", "delete"];
    case "RUNNING":
      return ["cancel"];
    case "DONE":
      return [...(task.mergedAt ? [] : (["merge"] as const)), "continue", "retry", "delete"];
    case "FAILED":
      return ["continue", "retry", "delete"];
  }
}

const META: Record<TaskAction, { label: string; icon: LucideIcon }> = {
  cancel: { label: "Cancel", icon: CircleStop },
  retry: { label: "Retry", icon: RotateCcw },
  continue: { label: "Continue", icon: MessageSquarePlus },
  merge: { label: "Merge", icon: GitMerge },
  delete: { label: "Delete", icon: Trash2 },
};

export interface TaskActionsProps {
  task: TaskDto;
  /** "compact": icon buttons for a card; "full": labelled buttons for the task page. */
  variant?: "compact" | "full";
  /** Leave these out (e.g. the task page has its own continue box). */
  exclude?: TaskAction[];
  baseBranch?: string;
  onMerged?: (outcome: MergeOutcome) => void;
  onMergeFailed?: (error: unknown) => void;
  onDeleted?: () => void;
  className?: string;
}

/** The buttons for what can be done with a task now, with their dialogs and feedback. */
export function TaskActions({ task, variant = "compact", exclude = [], baseBranch, onMerged, onMergeFailed, onDeleted, className }: TaskActionsProps) {
  const { pending, actions } = useTaskActions(task);
  const [dialog, setDialog] = useState<Dialog>(null);
  if (!actions) return null;
  const list = availableActions(task).filter((action) => !exclude.includes(action));

  function onClick(action: TaskAction) {
    // A queued task is simply taken off the queue; a running agent is stopped only after a confirmation.
    if (action === "cancel" && task.status === "RUNNING") setDialog("cancel");
    else if (action === "cancel") void actions!.cancel().catch(() => undefined);
    else if (action === "retry") void actions!.retry().catch(() => undefined);
    else setDialog(action);
  }

  const compact = variant === "compact";
  return (
    <div className={cn("flex items-center", compact ? "gap-0.5" : "flex-wrap gap-2", className)}>
      {list.map((action) => {
        const { label, icon: Icon } = META[action];
        const destructive = action === "delete" || action === "cancel";
        return (
          <Button
            key={action}
            variant={compact ? "ghost" : action === "merge" ? "default" : "outline"}
            size={compact ? "icon-xs" : "sm"}
            onClick={() => onClick(action)}
            loading={pending === action}
            disabled={pending !== null && pending !== action}
            aria-label={compact ? `${label} task #${task.number}` : undefined}
            title={compact ? label : undefined}
            data-testid={`task-action-${action}`}
            className={cn(compact && "text-muted-foreground hover:text-foreground", compact && destructive && "hover:text-destructive", !compact && destructive && "hover:text-destructive")}
          >
            <Icon aria-hidden />
            {compact ? null : label}
          </Button>
        );
      })}
      <CancelTaskDialog task={task} open={dialog === "cancel"} onOpenChange={(open) => setDialog(open ? "cancel" : null)} onConfirm={actions.cancel} />
      <ContinueDialog task={task} open={dialog === "continue"} onOpenChange={(open) => setDialog(open ? "continue" : null)} onSubmit={actions.continueWith} />
      <MergeDialog
        task={task}
        baseBranch={baseBranch}
        open={dialog === "merge"}
        onOpenChange={(open) => setDialog(open ? "merge" : null)}
        onConfirm={(deleteBranch) =>
          actions.merge(deleteBranch).then(onMerged, (error: unknown) => {
            // Where the refusal is shown on the page, the dialog closes; elsewhere it stays for another try.
            if (!onMergeFailed) throw error;
            onMergeFailed(error);
          })
        }
      />
      <DeleteTaskDialog
        task={task}
        open={dialog === "delete"}
        onOpenChange={(open) => setDialog(open ? "delete" : null)}
        onConfirm={(deleteBranch) => actions.remove(deleteBranch).then(() => onDeleted?.())}
      />
    </div>
  );
}

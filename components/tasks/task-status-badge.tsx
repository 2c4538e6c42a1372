import { CheckCircle2, CircleDashed, GitMerge, LoaderCircle, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { TaskStatus } from "@/lib/enums";

const STATUS = {
  TODO: { label: "Queued", variant: "muted", icon: CircleDashed },
  RUNNING: { label: "Running", variant: "info", icon: LoaderCircle },
  DONE: { label: "Done", variant: "success", icon: CheckCircle2 },
  FAILED: { label: "Failed", variant: "destructive", icon: XCircle },
} as const;

export const STATUS_LABELS: Record<TaskStatus, string> = { TODO: "Queued", RUNNING: "Running", DONE: "Done", FAILED: "Failed" };

export function TaskStatusBadge({ status, className }: { status: TaskStatus; className?: string }) {
  const { label, variant, icon: Icon } = STATUS[status];
  return (
    <Badge variant={variant} className={className} data-testid="task-status" data-status={status}>
      <Icon className={cn(status === "RUNNING" && "animate-spin")} aria-hidden />
      {label}
    </Badge>
  );
}

export function MergedBadge({ className }: { className?: string }) {
  return (
    <Badge className={cn("border-violet-500/25 bg-violet-500/10 text-violet-600 dark:text-violet-400", className)} data-testid="merged-badge">
      <GitMerge aria-hidden />
      Merged
    </Badge>
  );
}

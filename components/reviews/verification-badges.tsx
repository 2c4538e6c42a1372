import { CircleCheck, CircleX, Eye, MessageSquareWarning, ShieldAlert, ShieldCheck, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { TaskDto } from "@/lib/schemas/task";

type Verified = Pick<TaskDto, "checkState" | "reviewState" | "reviewedBy" | "permissionDenials">;

/** The task's check and review states, and its denied tool calls, as small badges. */
export function VerificationBadges({ task, className }: { task: Verified; className?: string }) {
  const by = task.reviewedBy === "user" ? " by a person" : task.reviewedBy === "agent" ? " by the reviewer" : "";
  return (
    <span className={`flex flex-wrap items-center gap-1 ${className ?? ""}`} data-testid="verification-badges">
      {task.checkState === "PASSED" ? (
        <Badge variant="success" data-testid="check-badge" data-state="PASSED">
          <CircleCheck aria-hidden /> Checks pass
        </Badge>
      ) : task.checkState === "FAILED" ? (
        <Badge variant="destructive" data-testid="check-badge" data-state="FAILED">
          <CircleX aria-hidden /> Checks fail
        </Badge>
      ) : null}
      {task.reviewState === "PENDING" ? (
        <Badge variant="info" data-testid="review-badge" data-state="PENDING">
          <Eye aria-hidden /> In review
        </Badge>
      ) : task.reviewState === "APPROVED" ? (
        <Badge variant="success" data-testid="review-badge" data-state="APPROVED" title={`Approved${by}`}>
          <ShieldCheck aria-hidden /> Approved
        </Badge>
      ) : task.reviewState === "CHANGES_REQUESTED" ? (
        <Badge variant="warning" data-testid="review-badge" data-state="CHANGES_REQUESTED" title={`Changes requested${by}`}>
          <MessageSquareWarning aria-hidden /> Changes requested
        </Badge>
      ) : task.reviewState === "ERROR" ? (
        <Badge variant="destructive" data-testid="review-badge" data-state="ERROR">
          <ShieldAlert aria-hidden /> Review failed
        </Badge>
      ) : null}
      {task.permissionDenials.length > 0 ? (
        <Badge variant="warning" data-testid="denied-badge" title={task.permissionDenials.join("\n")}>
          <TriangleAlert aria-hidden /> {task.permissionDenials.length} denied
        </Badge>
      ) : null}
    </span>
  );
}

"use client";

import { MessageSquareWarning, ShieldCheck } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { useReviewActions } from "@/lib/hooks/use-review-actions";
import type { CommentDto } from "@/lib/schemas/review";
import type { TaskDto } from "@/lib/schemas/task";
import { CommentComposer } from "./comment-composer";
import { CommentItem } from "./comment-item";
import { VerificationBadges } from "./verification-badges";

/**
 * The review of a task's diff: its state, the general notes, comments whose lines are gone, a
 * box for a note, and the two decisions: request changes (sends every open comment) or approve.
 */
export function ReviewPanel({ task, comments, actions }: { task: TaskDto; comments: CommentDto[]; actions: ReturnType<typeof useReviewActions> }) {
  const open = comments.filter((comment) => !comment.resolved && !comment.sentAt);
  const notes = comments.filter((comment) => !comment.file || comment.position.outdated);
  const finished = task.status === "DONE" || task.status === "FAILED";
  return (
    <Card className="grid gap-3 p-4" data-testid="review-panel">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold">Review</h3>
        <VerificationBadges task={task} />
        <span className="text-xs text-muted-foreground">{open.length} open comment{open.length === 1 ? "" : "s"}</span>
        <div className="ml-auto flex gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={!finished || open.length === 0}
            loading={actions.pending === "request-changes"}
            onClick={() => void actions.requestChanges().catch(() => undefined)}
            data-testid="request-changes"
            title={open.length === 0 ? "Comment on the diff first" : "Send every open comment to the agent as one follow-up"}
          >
            <MessageSquareWarning aria-hidden />
            Request changes
          </Button>
          <Button
            size="sm"
            disabled={task.status !== "DONE" || (task.reviewState === "APPROVED" && task.reviewedBy === "user")}
            loading={actions.pending === "approve"}
            onClick={() => void actions.approve().catch(() => undefined)}
            data-testid="approve"
          >
            <ShieldCheck aria-hidden />
            Approve
          </Button>
        </div>
      </div>
      {notes.length > 0 ? (
        <div className="grid gap-2">
          {notes.map((comment) => (
            <CommentItem key={comment.id} comment={comment} showPlace busy={actions.pending === "resolve"} onResolve={(resolved) => void actions.setResolved(comment, resolved).catch(() => undefined)} />
          ))}
        </div>
      ) : null}
      <CommentComposer label="A general note for the agent" busy={actions.pending === "comment"} onSubmit={(body) => actions.comment({ file: null, body })} />
    </Card>
  );
}

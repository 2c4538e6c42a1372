"use client";

import { Bot, Check, RotateCcw, Send, User } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { CommentDto } from "@/lib/schemas/review";

const SEVERITY_VARIANT = { blocker: "destructive", major: "warning", minor: "info", nit: "muted" } as const;

function place(comment: CommentDto): string | null {
  if (!comment.file) return null;
  const { startLine, endLine, outdated } = comment.position;
  if (outdated || startLine === null) return `${comment.file} (outdated: was line ${comment.startLine})`;
  return endLine && endLine !== startLine ? `${comment.file}:${startLine}-${endLine}` : `${comment.file}:${startLine}`;
}

/** One review comment: who wrote it, where, what; resolvable. */
export function CommentItem({ comment, onResolve, busy, showPlace = false }: { comment: CommentDto; onResolve: (resolved: boolean) => void; busy: boolean; showPlace?: boolean }) {
  const where = showPlace ? place(comment) : null;
  return (
    <div
      className={cn("grid gap-1.5 rounded-md border bg-card px-3 py-2 font-sans text-sm text-card-foreground", comment.resolved && "opacity-70")}
      data-testid="review-comment"
      data-author={comment.author}
      data-resolved={comment.resolved}
      data-comment-id={comment.id}
    >
      <div className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
        {comment.author === "agent" ? (
          <span className="inline-flex items-center gap-1 font-medium text-foreground">
            <Bot className="size-3.5" aria-hidden /> Reviewer
          </span>
        ) : (
          <span className="inline-flex items-center gap-1 font-medium text-foreground">
            <User className="size-3.5" aria-hidden /> You
          </span>
        )}
        {comment.severity ? <Badge variant={SEVERITY_VARIANT[comment.severity]}>{comment.severity}</Badge> : null}
        {where ? <span className="font-mono">{where}</span> : null}
        {comment.sentAt ? (
          <span className="inline-flex items-center gap-1" title={`Sent to the agent ${new Date(comment.sentAt).toLocaleString()}`}>
            <Send className="size-3" aria-hidden /> sent
          </span>
        ) : null}
        <Button variant="ghost" size="xs" className="ml-auto" disabled={busy} onClick={() => onResolve(!comment.resolved)} data-testid="resolve-comment">
          {comment.resolved ? <RotateCcw aria-hidden /> : <Check aria-hidden />}
          {comment.resolved ? "Reopen" : "Resolve"}
        </Button>
      </div>
      <p className="break-words whitespace-pre-wrap">{comment.body}</p>
    </div>
  );
}

"use client";

import { FileDiff, FileMinus, FilePen, FilePlus, FileSymlink, RotateCw } from "lucide-react";
import { useEffect, useMemo } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, isApiError } from "@/lib/api-client";
import { useComments, useTask, useTaskDiff } from "@/lib/hooks/use-tasks";
import { useReviewActions } from "@/lib/hooks/use-review-actions";
import { ReviewPanel } from "@/components/reviews/review-panel";
import type { DiffFile } from "@/lib/schemas/git";
import { DiffFileBlock, type DiffComments } from "./diff-file-block";
import { parsePatch } from "./parse-patch";

function statusIcon(status: string) {
  const letter = status.charAt(0).toUpperCase();
  if (letter === "A") return { icon: FilePlus, tone: "text-success", label: "added" };
  if (letter === "D") return { icon: FileMinus, tone: "text-destructive", label: "deleted" };
  if (letter === "R" || letter === "C") return { icon: FileSymlink, tone: "text-info", label: "renamed" };
  return { icon: FilePen, tone: "text-warning", label: "modified" };
}

function FileList({ files }: { files: DiffFile[] }) {
  return (
    <ul className="divide-y rounded-lg border" aria-label="Changed files">
      {files.map((file) => {
        const { icon: Icon, tone, label } = statusIcon(file.status);
        return (
          <li key={file.path} data-testid="diff-file" data-path={file.path} data-status={file.status}>
            <a
              href={`#diff-${encodeURIComponent(file.path)}`}
              className="flex items-center gap-2 px-3 py-1.5 text-sm outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
            >
              <Icon className={cn("size-4 shrink-0", tone)} aria-label={label} />
              <span className="min-w-0 flex-1 truncate font-mono text-xs" title={file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}>
                {file.oldPath ? <span className="text-muted-foreground">{file.oldPath} → </span> : null}
                {file.path}
              </span>
              <span className="shrink-0 font-mono text-xs tabular-nums">
                {file.additions === null ? (
                  "binary"
                ) : (
                  <>
                    <span className="text-diff-add-fg">+{file.additions}</span> <span className="text-diff-del-fg">−{file.deletions}</span>
                  </>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

/** The task branch's changes against its merge base: the file list, then each file's unified diff. */
export function DiffView({ taskId }: { taskId: number }) {
  const { diff, error, isLoading, isValidating, mutate } = useTaskDiff(taskId);
  const { task } = useTask(taskId);
  const { comments } = useComments(taskId);
  const actions = useReviewActions(taskId);
  const patchFiles = useMemo(() => (diff ? parsePatch(diff.patch) : []), [diff]);
  // A run that ended (a fix round, a follow-up) changed the branch: show the new diff.
  const finishedRun = task && task.status !== "RUNNING" ? `${task.currentRunId}:${task.status}` : null;
  useEffect(() => {
    if (finishedRun) void mutate();
  }, [finishedRun, mutate]);
  const reviewOf = (path: string): DiffComments => ({
    comments: (comments ?? []).filter((comment) => comment.file === path && !comment.position.outdated),
    busy: actions.pending !== null,
    add: (input) => actions.comment(input),
    setResolved: (comment, resolved) => void actions.setResolved(comment, resolved).catch(() => undefined),
  });

  if (isLoading && !diff) {
    return (
      <div className="grid gap-3" aria-busy="true" aria-label="Loading diff">
        <Skeleton className="h-20" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (error && !diff) {
    const noBranch = isApiError(error) && error.code === "conflict:no_branch";
    return (
      <EmptyState
        icon={FileDiff}
        tone={noBranch ? "default" : "error"}
        title={noBranch ? "No changes yet" : "The diff could not be loaded"}
        description={errorMessage(error)}
        action={
          <Button variant="outline" size="sm" onClick={() => void mutate()} loading={isValidating}>
            <RotateCw aria-hidden />
            Reload
          </Button>
        }
      />
    );
  }
  if (!diff) return null;
  const additions = diff.files.reduce((sum, file) => sum + (file.additions ?? 0), 0);
  const deletions = diff.files.reduce((sum, file) => sum + (file.deletions ?? 0), 0);
  const byPath = new Map(diff.files.map((file) => [file.path, file]));

  return (
    <div className="grid gap-4" data-testid="diff-view">
      {task ? <ReviewPanel task={task} comments={comments ?? []} actions={actions} /> : null}
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <p className="text-muted-foreground">
          <span className="font-mono text-xs text-foreground">{diff.branch}</span> against <span className="font-mono text-xs text-foreground">{diff.baseBranch}</span>{" "}
          at <span className="font-mono text-xs">{diff.mergeBase.slice(0, 8)}</span> · {diff.files.length} {diff.files.length === 1 ? "file" : "files"}{" "}
          <span className="font-mono text-xs">
            <span className="text-diff-add-fg">+{additions}</span> <span className="text-diff-del-fg">−{deletions}</span>
          </span>
        </p>
        <Button variant="ghost" size="xs" onClick={() => void mutate()} loading={isValidating}>
          <RotateCw aria-hidden />
          Refresh
        </Button>
      </div>
      {diff.files.length === 0 ? (
        <EmptyState icon={FileDiff} title="No changes" description="The branch has no commits beyond its merge base." />
      ) : (
        <>
          <FileList files={diff.files} />
          <div className="grid gap-3">
            {patchFiles.map((file) => {
              const meta = byPath.get(file.path);
              return (
                <DiffFileBlock
                  key={file.path}
                  file={file}
                  additions={meta?.additions ?? undefined}
                  deletions={meta?.deletions ?? undefined}
                  status={meta ? statusIcon(meta.status).label : undefined}
                  review={reviewOf(file.path)}
                />
              );
            })}
          </div>
        </>
      )}
    </div>
  );
}

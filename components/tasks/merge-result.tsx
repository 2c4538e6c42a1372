"use client";

import { GitMerge, ShieldAlert, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { errorMessage, isApiError } from "@/lib/api-client";
import { MERGE_KIND_LABELS } from "@/lib/hooks/use-task-actions";
import type { MergeOutcome } from "@/lib/schemas/task";

export type MergeAttempt = { ok: true; outcome: MergeOutcome } | { ok: false; error: unknown };

function refusedFiles(error: unknown): string[] {
  if (!isApiError(error)) return [];
  const files = (error.details as { files?: unknown } | undefined)?.files;
  return Array.isArray(files) ? files.filter((file): file is string => typeof file === "string") : [];
}

/** What the last merge did: fast-forward, merge commit, already up to date, or why git refused. */
export function MergeResult({ attempt, baseBranch, onDismiss }: { attempt: MergeAttempt; baseBranch?: string; onDismiss: () => void }) {
  if (attempt.ok) {
    const { kind, head } = attempt.outcome.merge;
    const { stashed } = attempt.outcome;
    return (
      <div role="status" data-testid="merge-result" data-kind={kind} className="flex items-start gap-3 rounded-lg border border-violet-500/30 bg-violet-500/10 px-4 py-3 text-sm">
        <GitMerge className="mt-0.5 size-4 shrink-0 text-violet-600 dark:text-violet-400" aria-hidden />
        <div className="grid flex-1 gap-0.5">
          <p className="font-medium">{MERGE_KIND_LABELS[kind]}</p>
          <p className="text-[13px] text-muted-foreground">
            {baseBranch ? <span className="font-mono">{baseBranch}</span> : "The base branch"} is now at <span className="font-mono">{head.slice(0, 10)}</span>.
          </p>
          {stashed.length > 0 ? (
            <p data-testid="merge-stashed" className="text-[13px] text-muted-foreground">
              Its worktree held changes not committed ({stashed.length === 1 ? stashed[0] : `${stashed.length} files`}): they were stashed in the repository before the worktree was removed (<span className="font-mono">git stash list</span>).
            </p>
          ) : null}
        </div>
        <Button variant="ghost" size="icon-xs" onClick={onDismiss} aria-label="Dismiss merge result">
          <X />
        </Button>
      </div>
    );
  }
  const files = refusedFiles(attempt.error);
  return (
    <div role="alert" data-testid="merge-result" data-kind="refused" className="flex items-start gap-3 rounded-lg border border-destructive/30 bg-destructive/10 px-4 py-3 text-sm">
      <ShieldAlert className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="grid flex-1 gap-1">
        <p className="font-medium text-destructive">Merge refused</p>
        <p className="text-[13px]">{errorMessage(attempt.error)}</p>
        {files.length > 0 ? (
          <ul className="mt-1 grid gap-0.5 font-mono text-xs text-muted-foreground">
            {files.slice(0, 20).map((file) => (
              <li key={file}>{file}</li>
            ))}
            {files.length > 20 ? <li>… and {files.length - 20} more</li> : null}
          </ul>
        ) : null}
      </div>
      <Button variant="ghost" size="icon-xs" onClick={onDismiss} aria-label="Dismiss merge result">
        <X />
      </Button>
    </div>
  );
}

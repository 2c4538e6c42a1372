"use client";

import { GitPullRequest, Upload } from "lucide-react";
import { useEffect, useState } from "react";
import { QueueMergeButton } from "@/components/board/merge-queue-panel";
import { Button } from "@/components/ui/button";
import { api, errorMessage } from "@/lib/api-client";
import { taskPushResultSchema, taskSchema, type TaskDto } from "@/lib/schemas/task";

/**
 * Opening a task whose pull request is open asks the forge for its state once (the server answers
 * the stored one when it asked within 30 s); a failure leaves the shown state as it was.
 */
function useRefreshOpenPullRequest(task: TaskDto, onChanged: () => void) {
  const open = task.pullRequest?.state === "open";
  useEffect(() => {
    if (!open) return;
    let live = true;
    api
      .post(`/api/tasks/${task.id}/pull-request/refresh`, taskSchema, {})
      .then((fresh) => {
        if (live && fresh.pullRequest?.state !== "open") onChanged();
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
    // Once per task opened, not on every change of the callback.
  }, [task.id, open]);
}

/** Queue merge, push and open (or refresh) a pull request for a finished task. */
export function PullRequestActions({ task, onChanged }: { task: TaskDto; onChanged: () => void }) {
  const [busy, setBusy] = useState<"push" | "pr" | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  useRefreshOpenPullRequest(task, onChanged);
  if (task.status !== "DONE" || task.mergedAt) return null;
  const run = async (what: "push" | "pr") => {
    setBusy(what);
    setNote(null);
    try {
      if (what === "push") {
        const pushed = await api.post(`/api/tasks/${task.id}/push`, taskPushResultSchema, {});
        setNote({ ok: true, text: `Pushed ${pushed.branch} to ${pushed.remote} at ${pushed.sha.slice(0, 12)}.` });
      } else {
        await api.post(`/api/tasks/${task.id}/pull-request`, taskSchema, {});
      }
      onChanged();
    } catch (failure) {
      setNote({ ok: false, text: errorMessage(failure) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="pull-request-actions">
      {task.mergeQueue ? null : <QueueMergeButton taskId={task.id} onQueued={onChanged} />}
      <Button size="sm" variant="outline" loading={busy === "push"} onClick={() => run("push")}>
        <Upload aria-hidden /> Push
      </Button>
      <Button size="sm" variant="outline" loading={busy === "pr"} onClick={() => run("pr")}>
        <GitPullRequest aria-hidden /> {task.pullRequest ? "Refresh pull request" : "Open pull request"}
      </Button>
      {task.pullRequest ? (
        <a href={task.pullRequest.url} target="_blank" rel="noreferrer" className="text-sm hover:underline" data-testid="pull-request-link">
          Pull request ({task.pullRequest.state})
        </a>
      ) : null}
      {note ? <span role={note.ok ? "status" : "alert"} className={note.ok ? "text-xs text-muted-foreground" : "text-xs text-destructive"}>{note.text}</span> : null}
    </div>
  );
}

"use client";

import { ArrowDown, ArrowUp, GitMerge, X } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { api, errorMessage, fetcherFor } from "@/lib/api-client";
import { mergeQueueSchema, type MergeQueueEntryDto } from "@/lib/schemas/merge-queue";
import { taskSchema } from "@/lib/schemas/task";

const STEP_LABELS: Record<MergeQueueEntryDto["step"], string> = {
  waiting: "waiting",
  updating: "updating with the base",
  resolving: "agent resolving a conflict",
  checking: "running the check",
  landing: "landing",
  cleanup: "cleaning up",
};

/** The workspace's merge queue: order and step, reorder and remove, and why tasks left it. */
export function MergeQueuePanel({ workspaceId }: { workspaceId: number }) {
  const key = `/api/workspaces/${workspaceId}/merge-queue`;
  const { data, mutate } = useSWR(key, fetcherFor(mergeQueueSchema), { refreshInterval: 3_000 });
  const [error, setError] = useState<string | null>(null);
  if (!data || (data.order.length === 0 && data.history.length === 0)) return null;
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      await mutate();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  const move = (index: number, by: number) => {
    const ids = data.order.map((entry) => entry.taskId);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    return act(() => api.put(key, mergeQueueSchema, { taskIds: ids }));
  };
  // Why tasks left, and what a landing had to say (a worktree's changes stashed).
  const left = data.history.filter((entry) => entry.state === "left" || entry.reason).slice(0, 5);
  return (
    <Card className="gap-2 p-3" data-testid="merge-queue-panel">
      <h2 className="inline-flex items-center gap-1.5 text-sm font-medium">
        <GitMerge className="size-4" aria-hidden /> Merge queue
      </h2>
      {data.order.length === 0 ? <p className="text-xs text-muted-foreground">Empty.</p> : null}
      <ol className="grid gap-1">
        {data.order.map((entry, index) => (
          <li key={entry.taskId} className="flex items-center gap-2 text-xs" data-testid="merge-queue-entry" data-task-id={entry.taskId}>
            <span className="w-5 text-right tabular-nums text-muted-foreground">{entry.position}.</span>
            <Link href={`/tasks/${entry.taskId}`} className="font-mono hover:underline">task {entry.taskId}</Link>
            <span className="text-muted-foreground">{STEP_LABELS[entry.step]}</span>
            <span className="ml-auto flex gap-0.5">
              <Button size="icon" variant="ghost" aria-label={`Move task ${entry.taskId} up`} disabled={index === 0 || entry.step !== "waiting"} onClick={() => move(index, -1)}>
                <ArrowUp aria-hidden />
              </Button>
              <Button size="icon" variant="ghost" aria-label={`Move task ${entry.taskId} down`} disabled={index === data.order.length - 1 || entry.step !== "waiting"} onClick={() => move(index, 1)}>
                <ArrowDown aria-hidden />
              </Button>
              <Button size="icon" variant="ghost" aria-label={`Remove task ${entry.taskId} from the queue`} onClick={() => act(() => api.delete(`/api/tasks/${entry.taskId}/merge-queue`).then(() => undefined))}>
                <X aria-hidden />
              </Button>
            </span>
          </li>
        ))}
      </ol>
      {left.length > 0 ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-muted-foreground">Left the queue, or landed with a note ({left.length})</summary>
          <ul className="mt-1 grid gap-1">
            {left.map((entry) => (
              <li key={`${entry.taskId}-${entry.finishedAt}`} data-testid="merge-queue-left">
                <Link href={`/tasks/${entry.taskId}`} className="font-mono hover:underline">task {entry.taskId}</Link>{entry.state === "merged" ? " landed" : ""}: <span className="break-words whitespace-pre-wrap">{entry.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {error ? <p role="alert" className="text-xs text-destructive">{error}</p> : null}
    </Card>
  );
}

/** "Queue merge" for a DONE task that is not merged or queued yet. */
export function QueueMergeButton({ taskId, onQueued }: { taskId: number; onQueued?: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        variant="outline"
        loading={busy}
        data-testid="queue-merge"
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await api.post(`/api/tasks/${taskId}/merge-queue`, taskSchema, {});
            onQueued?.();
          } catch (failure) {
            setError(errorMessage(failure));
          } finally {
            setBusy(false);
          }
        }}
      >
        <GitMerge aria-hidden /> Queue merge
      </Button>
      {error ? <span role="alert" className="text-xs text-destructive">{error}</span> : null}
    </span>
  );
}

"use client";

import Link from "next/link";
import { useTasks } from "@/lib/hooks/use-tasks";
import type { TaskDto } from "@/lib/schemas/task";
import { QueueMergeButton } from "./merge-queue-panel";

/** A card's links to other tasks: what it waits for, what it overlaps, its place in the merge queue, its pull request. */
export function TaskCardLinks({ task }: { task: TaskDto }) {
  const { dependsOn, overlaps, mergeQueue, pullRequest } = task;
  // Tasks are named by their number within the workspace: one shared list per workspace, loaded
  // only when some card links to another task (a board without links loads none).
  const { tasks } = useTasks(dependsOn.length > 0 || overlaps.length > 0 ? task.workspaceId : null);
  const label = (id: number) => {
    const number = tasks?.find((other) => other.id === id)?.number;
    return number === undefined ? `task ${id}` : `#${number}`;
  };
  const queueable = task.status === "DONE" && !task.mergedAt && !mergeQueue;
  if (dependsOn.length === 0 && overlaps.length === 0 && !mergeQueue && !pullRequest && !queueable) return null;
  return (
    <div className="grid gap-1 text-xs" data-testid="task-card-links">
      {dependsOn.length > 0 ? (
        <span className="text-muted-foreground">
          {task.dependencyMode === "done" ? "stacked on " : "after "}
          {dependsOn.map((id, index) => (
            <span key={id}>
              {index > 0 ? ", " : null}
              <Link href={`/tasks/${id}`} prefetch={false} className="font-mono hover:underline">{label(id)}</Link>
            </span>
          ))}
        </span>
      ) : null}
      {overlaps.map((overlap) => (
        <span key={overlap.taskId} className="rounded-md border border-warning/30 bg-warning/10 px-2 py-0.5" data-testid="overlap-warning">
          overlaps <Link href={`/tasks/${overlap.taskId}`} prefetch={false} className="font-mono hover:underline">{label(overlap.taskId)}</Link> in {overlap.files.slice(0, 3).join(", ")}
          {overlap.files.length > 3 ? ` and ${overlap.files.length - 3} more` : ""}
        </span>
      ))}
      {mergeQueue ? <span className="text-info" data-testid="merge-queue-position">merge queue #{mergeQueue.position}: {mergeQueue.step}</span> : null}
      {pullRequest ? (
        <a href={pullRequest.url} target="_blank" rel="noreferrer" className="hover:underline" data-testid="pull-request-link">
          pull request ({pullRequest.state})
        </a>
      ) : null}
      {queueable ? <QueueMergeButton taskId={task.id} /> : null}
    </div>
  );
}

"use client";

import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { BACKEND_LABELS } from "@/lib/enums";
import { formatCost, formatDateTime, formatElapsed, formatTokens } from "@/lib/format";
import { useNow } from "@/lib/hooks/use-now";
import type { TaskDto } from "@/lib/schemas/task";
import type { WorkspaceDto } from "@/lib/schemas/workspace";

function Item({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={className}>
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="mt-1 flex min-w-0 items-center gap-1 text-sm">{children}</dd>
    </div>
  );
}

function Duration({ task }: { task: TaskDto }) {
  const now = useNow();
  if (!task.startedAt) return <>Not started</>;
  if (task.status === "TODO") return <>Queued again</>;
  return <>{formatElapsed(task.startedAt, task.status === "RUNNING" ? null : task.finishedAt, now)}</>;
}

/** The facts of a task at a glance: agent, branch, worktree, times, usage. */
export function TaskMeta({ task, workspace }: { task: TaskDto; workspace?: WorkspaceDto }) {
  const usage = task.usage;
  return (
    <Card className="p-5">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-4 md:grid-cols-4">
        <Item label="Agent">
          <span className="truncate">
            {BACKEND_LABELS[task.backend]} · <span className="font-mono text-[13px]">{task.model}</span>
          </span>
        </Item>
        <Item label="Permission mode">
          <span className="font-mono text-[13px]">{task.permissionMode}</span>
        </Item>
        <Item label="Branch">
          {task.branch ? (
            <>
              <span className="truncate font-mono text-[13px]" title={`${task.branch} → ${workspace?.baseBranch ?? "base"}`}>
                {task.branch}
              </span>
              <span className="shrink-0 text-xs text-muted-foreground">→ {workspace?.baseBranch ?? "base"}</span>
            </>
          ) : (
            <span className="text-muted-foreground">–</span>
          )}
        </Item>
        <Item label="Worktree">
          {task.worktreePath ? (
            <>
              <span className="truncate font-mono text-[13px]" title={task.worktreePath}>
                {task.worktreePath}
              </span>
              <CopyButton value={task.worktreePath} label="Copy worktree path" />
            </>
          ) : (
            <span className="text-muted-foreground">Not created yet</span>
          )}
        </Item>
        <Item label="Created">{formatDateTime(task.createdAt)}</Item>
        <Item label={task.status === "RUNNING" ? "Running for" : "Duration"}>
          <span className="tabular-nums">
            <Duration task={task} />
          </span>
        </Item>
        <Item label="Tokens in / out">
          <span className="tabular-nums" title={usage ? `cache read ${usage.cacheReadTokens}, cache write ${usage.cacheWriteTokens}` : undefined}>
            {usage ? `${formatTokens(usage.inputTokens)} / ${formatTokens(usage.outputTokens)}` : "–"}
          </span>
        </Item>
        <Item label="Cost">
          <span className="font-medium tabular-nums">{formatCost(usage?.costUsd ?? 0)}</span>
        </Item>
      </dl>
    </Card>
  );
}

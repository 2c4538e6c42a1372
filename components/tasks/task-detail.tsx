"use client";

import { PoolPlacement } from "@/components/board/pool-placement";
import { SquareTerminal, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { LogStream } from "@/components/logs/log-stream";
import { PageHeader } from "@/components/layout/page-header";
import { DiffView } from "@/components/diff/diff-view";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { TabList, TabPanel } from "@/components/ui/tabs";
import { errorMessage } from "@/lib/api-client";
import { useTask, useTaskRuns } from "@/lib/hooks/use-tasks";
import { useWorkspace } from "@/lib/hooks/use-workspaces";
import { ContinueBox } from "./continue-box";
import { MergeResult, type MergeAttempt } from "./merge-result";
import { PromptHistory } from "./prompt-history";
import { RunsTable } from "./runs-table";
import { PullRequestActions } from "./pull-request-actions";
import { TaskActions } from "./task-actions";
import { TaskMeta } from "./task-meta";
import { MergedBadge, TaskStatusBadge } from "./task-status-badge";
import { VerificationBadges } from "@/components/reviews/verification-badges";

const TABS = ["log", "diff", "runs", "prompts"] as const;
type Tab = (typeof TABS)[number];

/** The open tab lives in the URL hash (#diff), so a link can point at it. */
function useHashTab(): [Tab, (tab: Tab) => void] {
  const [tab, setTab] = useState<Tab>("log");
  useEffect(() => {
    const fromHash = window.location.hash.slice(1) as Tab;
    if (TABS.includes(fromHash)) setTab(fromHash);
  }, []);
  const choose = (next: Tab) => {
    setTab(next);
    window.history.replaceState(null, "", next === "log" ? window.location.pathname + window.location.search : `#${next}`);
  };
  return [tab, choose];
}

function Count({ value }: { value: number }) {
  return <span className="text-xs text-muted-foreground tabular-nums">{value}</span>;
}

function DetailSkeleton() {
  return (
    <div className="grid gap-6" aria-busy="true" aria-label="Loading task">
      <Skeleton className="h-10 w-2/3" />
      <Skeleton className="h-28 rounded-xl" />
      <Skeleton className="h-96 rounded-xl" />
    </div>
  );
}

export function TaskDetail({ taskId }: { taskId: number }) {
  const router = useRouter();
  const { task, error, mutate } = useTask(taskId);
  const { workspace } = useWorkspace(task?.workspaceId ?? null);
  const { runs } = useTaskRuns(task ? taskId : null);
  const [tab, setTab] = useHashTab();
  const [logRunId, setLogRunId] = useState<number | undefined>(undefined);
  const [mergeAttempt, setMergeAttempt] = useState<MergeAttempt | null>(null);

  if (error && !task) {
    return <EmptyState icon={TriangleAlert} tone="error" title="Task not found" description={errorMessage(error)} className="mt-6" action={<Link href="/" className={buttonVariants({ variant: "outline" })}>Back to home</Link>} />;
  }
  if (!task) return <DetailSkeleton />;

  // A pool task not placed yet is on no board but its members'.
  const boardHref = task.workspaceId === null ? "/" : `/workspaces/${task.workspaceId}/board`;
  const tabItems = [
    { value: "log" as const, label: "Log" },
    { value: "diff" as const, label: "Diff" },
    { value: "runs" as const, label: <>Runs {runs ? <Count value={runs.length} /> : null}</> },
    { value: "prompts" as const, label: <>Prompts <Count value={task.promptHistory.length} /></> },
  ];

  return (
    <div className="grid gap-6" data-testid="task-detail" data-status={task.status} data-task-id={task.id}>
      <PageHeader
        eyebrow={
          <span className="flex items-center gap-1.5">
            <Link href="/" className="hover:text-foreground">Workspaces</Link>
            <span aria-hidden>/</span>
            <Link href={boardHref} className="hover:text-foreground">{workspace?.name ?? "Board"}</Link>
            <span aria-hidden>/</span>
            <span className="font-mono">#{task.number}</span>
          </span>
        }
        title={task.title}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <TaskStatusBadge status={task.status} />
            {task.mergedAt ? <MergedBadge /> : null}
            <PoolPlacement task={task} />
            {task.parentTaskId !== null ? (
              <Link href={`/tasks/${task.parentTaskId}`} className="text-xs text-muted-foreground hover:underline" data-testid="subtask-of">
                subtask of task {task.parentTaskId}
              </Link>
            ) : null}
            <VerificationBadges task={task} />
          </span>
        }
        actions={
          <>
            {task.worktreePath ? (
              <Link href={`/tasks/${task.id}/terminal`} className={buttonVariants({ variant: "outline", size: "sm" })}>
                <SquareTerminal aria-hidden />
                Terminal
              </Link>
            ) : null}
            <TaskActions
              task={task}
              variant="full"
              exclude={["continue"]}
              baseBranch={workspace?.baseBranch}
              onMerged={(outcome) => setMergeAttempt({ ok: true, outcome })}
              onMergeFailed={(mergeError) => setMergeAttempt({ ok: false, error: mergeError })}
              onDeleted={() => router.push(boardHref)}
            />
          </>
        }
      />
      <PullRequestActions task={task} onChanged={() => void mutate()} />
      {mergeAttempt ? <MergeResult attempt={mergeAttempt} baseBranch={workspace?.baseBranch} onDismiss={() => setMergeAttempt(null)} /> : null}
      {task.status === "TODO" && task.waitingReason ? (
        <p className="rounded-lg border border-warning/40 bg-warning/10 px-4 py-3 text-sm" data-testid="waiting-reason">
          {task.waitingReason}
        </p>
      ) : null}
      {task.status === "FAILED" && task.failureReason ? (
        <p role="status" className="rounded-lg border border-destructive/30 bg-destructive/10 px-4 py-3 text-sm break-words text-destructive" data-testid="failure-reason">
          {task.failureReason}
        </p>
      ) : null}
      {task.permissionDenials.length > 0 ? (
        <div className="rounded-lg border border-warning/40 bg-warning/10 px-4 py-3 text-sm" data-testid="denied-calls">
          <p className="font-medium">The agent&apos;s CLI denied {task.permissionDenials.length} tool call(s) in the latest run:</p>
          <ul className="mt-1 list-disc pl-5 font-mono text-xs break-all">
            {task.permissionDenials.slice(0, 10).map((call, index) => (
              <li key={index}>{call}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <TaskMeta task={task} workspace={workspace} />
      <div className="grid gap-4">
        <TabList label="Task details" value={tab} onChange={setTab} items={tabItems} />
        <TabPanel value="log" active={tab === "log"} className="grid gap-2">
          {logRunId !== undefined ? (
            <p className="text-xs text-muted-foreground">
              Showing run #{logRunId}.{" "}
              <button type="button" className="cursor-pointer font-medium text-foreground underline underline-offset-4" onClick={() => setLogRunId(undefined)}>
                Back to the current run
              </button>
            </p>
          ) : null}
          <LogStream key={logRunId ?? "current"} taskId={task.id} runId={logRunId} />
        </TabPanel>
        <TabPanel value="diff" active={tab === "diff"}>
          <DiffView taskId={task.id} />
        </TabPanel>
        <TabPanel value="runs" active={tab === "runs"}>
          <RunsTable
            taskId={task.id}
            selectedRunId={logRunId}
            onShowLog={(runId) => {
              setLogRunId(runId);
              setTab("log");
            }}
          />
        </TabPanel>
        <TabPanel value="prompts" active={tab === "prompts"}>
          <PromptHistory history={task.promptHistory} />
        </TabPanel>
      </div>
      <ContinueBox task={task} />
    </div>
  );
}

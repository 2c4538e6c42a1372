"use client";

import { ScrollText } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api-client";
import { formatCost, formatDateTime, formatElapsed, formatTokens } from "@/lib/format";
import { useNow } from "@/lib/hooks/use-now";
import { useTaskRuns } from "@/lib/hooks/use-tasks";
import type { RunDto } from "@/lib/schemas/task";

const KIND_LABELS: Record<RunDto["kind"], string> = { initial: "Initial", continue: "Follow-up", retry: "Retry", auto_retry: "Auto-retry", fix: "Fix round", review: "Review", resolve: "Conflict resolution" };
const STATUS_VARIANT = { RUNNING: "info", DONE: "success", FAILED: "destructive" } as const;

function costTitle(run: RunDto): string {
  if (run.costSource === "estimated") return "Estimated from the model's list prices (Settings → Prices): the agent reports no cost.";
  if (run.costSource === "reported") return "As reported by the agent.";
  return "No cost known: the agent reports none and the model has no price in Settings → Prices.";
}

function RunRow({ run, now, selected, onShowLog }: { run: RunDto; now: number; selected: boolean; onShowLog: (runId: number) => void }) {
  const { usage } = run;
  return (
    <tr className="border-b last:border-0 hover:bg-muted/40" data-testid="run-row" data-run-id={run.id} aria-selected={selected || undefined}>
      <td className="px-3 py-2 whitespace-nowrap">
        <span className="font-mono text-xs">#{run.id}</span> <span className="text-muted-foreground">{KIND_LABELS[run.kind]}</span>
      </td>
      <td className="px-3 py-2">
        <Badge variant={STATUS_VARIANT[run.status]}>{run.status.toLowerCase()}</Badge>
      </td>
      <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">{run.model}</td>
      <td className="px-3 py-2 whitespace-nowrap text-muted-foreground">{formatDateTime(run.startedAt)}</td>
      <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">{formatElapsed(run.startedAt, run.endedAt, now)}</td>
      <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" title={`${usage.inputTokens} in, ${usage.outputTokens} out`}>
        {formatTokens(usage.inputTokens)} / {formatTokens(usage.outputTokens)}
      </td>
      <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums text-muted-foreground" title="cache read / cache write">
        {formatTokens(usage.cacheReadTokens)} / {formatTokens(usage.cacheWriteTokens)}
      </td>
      <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" data-testid="run-cost" title={costTitle(run)}>
        {run.costSource === "estimated" ? `≈ ${formatCost(usage.costUsd)}` : formatCost(usage.costUsd)}
      </td>
      <td className="px-3 py-2" title={run.errorMessage ?? undefined}>
        {run.errorClass ? <Badge variant={run.errorClass === "CANCELLED" ? "muted" : "destructive"}>{run.errorClass}</Badge> : <span className="text-muted-foreground">–</span>}
      </td>
      <td className="px-3 py-2 text-right font-mono text-xs tabular-nums">{run.exitCode ?? "–"}</td>
      <td className="px-3 py-2 whitespace-nowrap" data-testid="run-outcome">
        <RunOutcome run={run} />
      </td>
      <td className="px-2 py-1.5 text-right">
        <Button variant={selected ? "secondary" : "ghost"} size="xs" onClick={() => onShowLog(run.id)} aria-label={`Show the log of run #${run.id}`}>
          <ScrollText aria-hidden />
          Log
        </Button>
      </td>
    </tr>
  );
}

const CHECK_VARIANT = { PASSED: "success", FAILED: "destructive", TIMED_OUT: "destructive" } as const;
const VERDICT_LABEL = { approve: "approved", request_changes: "changes requested" } as const;

/** A work run's check and a review run's verdict. */
function RunOutcome({ run }: { run: RunDto }) {
  if (run.check) {
    return (
      <Badge variant={CHECK_VARIANT[run.check.state]} title={`exit ${run.check.exitCode ?? "none"} in ${(run.check.durationMs / 1000).toFixed(1)} s\n${run.check.outputTail.slice(-1500)}`}>
        check {run.check.state.toLowerCase().replace("_", " ")}
      </Badge>
    );
  }
  if (run.review) {
    if (!run.review.verdict) return <Badge variant="destructive" title={run.review.raw ?? undefined}>unreadable review</Badge>;
    return (
      <Badge variant={run.review.verdict === "approve" ? "success" : "warning"} title={run.review.summary ?? undefined}>
        {VERDICT_LABEL[run.review.verdict]} · {run.review.findings.length}
      </Badge>
    );
  }
  return <span className="text-muted-foreground">–</span>;
}

const HEADERS = ["Run", "Status", "Model", "Started", "Duration", "Tokens in / out", "Cache r / w", "Cost", "Error", "Exit", "Check / review", ""];
const RIGHT = new Set(["Duration", "Tokens in / out", "Cache r / w", "Cost", "Exit"]);

/** Every run of a task, newest first, with its usage and how it ended. */
export function RunsTable({ taskId, selectedRunId, onShowLog }: { taskId: number; selectedRunId?: number; onShowLog: (runId: number) => void }) {
  const { runs, error, isLoading } = useTaskRuns(taskId);
  const now = useNow();
  if (isLoading && !runs) return <Skeleton className="h-32" />;
  if (error && !runs) return <EmptyState icon={ScrollText} tone="error" title="Runs could not be loaded" description={errorMessage(error)} />;
  if (!runs || runs.length === 0) return <EmptyState icon={ScrollText} title="No runs yet" description="The task is waiting for a free slot in its workspace." />;
  const ordered = [...runs].sort((a, b) => b.id - a.id);
  return (
    <div className="overflow-x-auto rounded-lg border" data-testid="runs-table">
      <table className="w-full text-sm">
        <thead className="border-b bg-muted/50 text-xs text-muted-foreground">
          <tr>
            {HEADERS.map((header, index) => (
              <th key={index} scope="col" className={`px-3 py-2 font-medium whitespace-nowrap ${RIGHT.has(header) ? "text-right" : "text-left"}`}>
                {header || <span className="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ordered.map((run) => (
            <RunRow key={run.id} run={run} now={now} selected={run.id === selectedRunId} onShowLog={onShowLog} />
          ))}
        </tbody>
      </table>
      {ordered.some((run) => run.errorMessage) ? (
        <div className="grid gap-1 border-t px-3 py-2">
          {ordered
            .filter((run) => run.errorMessage)
            .map((run) => (
              <p key={run.id} className="text-xs break-words text-muted-foreground">
                <span className="font-mono">#{run.id}</span>: {run.errorMessage}
              </p>
            ))}
        </div>
      ) : null}
    </div>
  );
}

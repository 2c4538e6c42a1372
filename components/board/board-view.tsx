"use client";

import { Pencil, Plus, Search, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { SWRConfig } from "swr";
import { PageHeader } from "@/components/layout/page-header";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { QuotaBanners } from "@/components/usage/quota-banners";
import { WorkspaceHealthBadge } from "@/components/workspaces/workspace-health-badge";
import { WORKSPACE_TYPE_LABELS, workspaceLocation } from "@/components/workspaces/workspace-location";
import { errorMessage } from "@/lib/api-client";
import { BACKEND_LABELS, BACKENDS, TASK_STATUSES, type Backend, type TaskStatus } from "@/lib/enums";
import { boardKey, NO_FILTERS, type BoardFilters } from "@/lib/board-query";
import { useTaskBoard, useTaskColumn } from "@/lib/hooks/use-board-data";
import { REVIEW_FILTERS, type ReviewFilter } from "@/lib/review-status";
import type { TaskBoard } from "@/lib/schemas/task";
import { useWorkspace } from "@/lib/hooks/use-workspaces";
import { BoardColumn } from "./board-column";
import { MergeQueuePanel } from "./merge-queue-panel";

/** Typing settles this long before the filter goes to the server. */
const FILTER_DEBOUNCE_MS = 250;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** One column: its first page from the board's answer, the next ones from the server, its true count. */
function LiveColumn({ workspaceId, status, filters, first, count, ...rest }: { workspaceId: number; status: TaskStatus; filters: BoardFilters; first: TaskBoard["columns"][TaskStatus] | undefined; count: number | undefined; filtered: boolean; baseBranch?: string; meta?: string }) {
  const { tasks, hasMore, loadingMore, loadMore } = useTaskColumn(workspaceId, status, filters, first);
  return <BoardColumn status={status} tasks={tasks} count={count} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={loadMore} {...rest} />;
}

/**
 * The board. `initialBoard` is its first screen as the page's server render read it: the cards are
 * in the HTML instead of coming after hydration and a request (a board of 2,000 tasks showed its
 * cards 1.6 s after navigation here before, about 0.5 s now; bench/README.md). It fills only the
 * unfiltered board's key; the board revalidates it once mounted, as always.
 */
export function BoardView({ workspaceId, initialBoard }: { workspaceId: number; initialBoard?: TaskBoard | null }) {
  if (!initialBoard) return <Board workspaceId={workspaceId} />;
  return (
    <SWRConfig value={{ fallback: { [boardKey(workspaceId, NO_FILTERS)]: initialBoard } }}>
      <Board workspaceId={workspaceId} />
    </SWRConfig>
  );
}

function Board({ workspaceId }: { workspaceId: number }) {
  const { workspace, error: workspaceError } = useWorkspace(workspaceId);
  const [query, setQuery] = useState("");
  const [backend, setBackend] = useState<Backend | "">("");
  const [review, setReview] = useState<ReviewFilter | "">("");
  const q = useDebounced(query.trim(), FILTER_DEBOUNCE_MS);
  const filters = useMemo<BoardFilters>(() => ({ backend, review, q }), [backend, review, q]);
  const { board, error } = useTaskBoard(workspaceId, filters);
  const counts = board?.counts;

  if (workspaceError && !workspace) {
    return <EmptyState icon={TriangleAlert} tone="error" title="Workspace not found" description={errorMessage(workspaceError)} className="mt-6" />;
  }

  const filtered = Boolean(query.trim() || backend || review);
  return (
    <div className="grid gap-5">
      <PageHeader
        eyebrow={
          <span className="flex items-center gap-1.5">
            <Link href="/" className="hover:text-foreground">Workspaces</Link>
            <span aria-hidden>/</span>
            <span>Board</span>
          </span>
        }
        title={workspace ? workspace.name : <span className="inline-block h-6 w-48 animate-pulse rounded-md bg-muted" aria-label="Loading" />}
        description={
          workspace ? (
            <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <WorkspaceHealthBadge workspaceId={workspace.id} />
              <span>{WORKSPACE_TYPE_LABELS[workspace.type]}</span>
              <span aria-hidden>·</span>
              <span className="font-mono text-xs">{workspaceLocation(workspace)}</span>
              <span aria-hidden>·</span>
              <span>
                base <span className="font-mono text-xs">{workspace.baseBranch}</span>
              </span>
            </span>
          ) : null
        }
        actions={
          <>
            <Link href={`/workspaces/${workspaceId}/edit`} className={buttonVariants({ variant: "outline", size: "sm" })}>
              <Pencil aria-hidden />
              Edit
            </Link>
            <Link href={`/tasks/new?workspaceId=${workspaceId}`} className={buttonVariants({ size: "sm" })}>
              <Plus aria-hidden />
              New task
            </Link>
          </>
        }
      />
      <QuotaBanners />
      <MergeQueuePanel workspaceId={workspaceId} />
      <div className="flex flex-wrap items-center gap-2" role="search" aria-label="Filter tasks">
        <div className="relative w-full max-w-xs">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="Filter by title, prompt, #number"
            aria-label="Filter tasks by text"
            className="h-8 pl-8"
            data-testid="board-filter-text"
          />
        </div>
        <Select
          value={backend}
          onChange={(event) => setBackend(event.target.value as Backend | "")}
          aria-label="Filter tasks by backend"
          className="w-40 [&_select]:h-8"
          data-testid="board-filter-backend"
        >
          <option value="">All backends</option>
          {BACKENDS.map((value) => (
            <option key={value} value={value}>
              {BACKEND_LABELS[value]}
            </option>
          ))}
        </Select>
        <Select
          value={review}
          onChange={(event) => setReview(event.target.value as ReviewFilter | "")}
          aria-label="Filter tasks by review"
          className="w-44 [&_select]:h-8"
          data-testid="board-filter-review"
        >
          <option value="">All reviews</option>
          {Object.entries(REVIEW_FILTERS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
        {error ? (
          <span role="alert" className="inline-flex items-center gap-1.5 text-xs text-destructive">
            <TriangleAlert className="size-3.5" aria-hidden />
            {counts ? "Refresh failed: showing the last tasks loaded." : errorMessage(error)}
          </span>
        ) : null}
      </div>
      {error && !counts ? (
        <EmptyState icon={TriangleAlert} tone="error" title="Tasks could not be loaded" description={errorMessage(error)} />
      ) : (
        <div className="grid items-start gap-3 sm:grid-cols-2 xl:grid-cols-4">
          {TASK_STATUSES.map((status) => (
            <LiveColumn
              key={status}
              workspaceId={workspaceId}
              status={status}
              filters={filters}
              first={board?.columns[status]}
              count={counts?.[status]}
              filtered={filtered}
              baseBranch={workspace?.baseBranch}
              meta={status === "RUNNING" && workspace && counts ? `${counts.RUNNING}/${workspace.concurrencyLimit} slots` : undefined}
            />
          ))}
        </div>
      )}
    </div>
  );
}

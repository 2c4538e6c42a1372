import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BoardView } from "@/components/board/board-view";
import { filterParams, NO_FILTERS } from "@/lib/board-query";
import { taskBoardQuerySchema, taskBoardSchema, type TaskBoard } from "@/lib/schemas/task";
import { respond } from "@/server/http/respond";
import { boardTasks } from "@/server/tasks/service";

export const metadata: Metadata = { title: "Board" };
// Read at each request: the board is the database's state now. This page is outside the loading
// skeleton's route group (app/(main)/loading.tsx): with no Suspense boundary above it, the first
// HTML holds the cards instead of a skeleton swapped for them once React runs (AGENTS.md).
export const dynamic = "force-dynamic";

/**
 * The board's first screen (counts and each column's first page), the same answer GET
 * /api/tasks/board gives for the unfiltered board. Null when it cannot be read now (a database
 * held by another process): the page then loads it itself, as it would without this.
 */
async function firstScreen(workspaceId: number): Promise<TaskBoard | null> {
  try {
    const query = taskBoardQuerySchema.parse(Object.fromEntries(filterParams(workspaceId, NO_FILTERS)));
    return respond(taskBoardSchema, await boardTasks(query));
  } catch (error) {
    console.warn(`[board] workspace ${workspaceId}: the first screen was not read for the page`, error instanceof Error ? error.message : error);
    return null;
  }
}

export default async function BoardPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return <BoardView workspaceId={id} initialBoard={await firstScreen(id)} />;
}

import type { Backend } from "@/lib/enums";
import type { ReviewFilter } from "@/lib/review-status";

/** The board's filters, as the filter bar holds them. */
export interface BoardFilters {
  backend: Backend | "";
  review: ReviewFilter | "";
  /** Sent to the server (title, prompt, model, #number). */
  q: string;
}

export const NO_FILTERS: BoardFilters = { backend: "", review: "", q: "" };

/** The query string the board's requests carry: the workspace and the filters that are set. */
export function filterParams(workspaceId: number, filters: BoardFilters): URLSearchParams {
  const params = new URLSearchParams({ workspaceId: String(workspaceId) });
  if (filters.backend) params.set("backend", filters.backend);
  if (filters.review) params.set("review", filters.review);
  if (filters.q) params.set("q", filters.q);
  return params;
}

/**
 * The board's first-screen request (GET /api/tasks/board), which is also its SWR key: the page's
 * server render fills that key with the same answer (app/workspaces/[id]/board/page.tsx).
 */
export function boardKey(workspaceId: number, filters: BoardFilters): string {
  return `/api/tasks/board?${filterParams(workspaceId, filters)}`;
}

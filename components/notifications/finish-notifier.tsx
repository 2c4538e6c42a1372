"use client";

import { useEffect } from "react";
import { api } from "@/lib/api-client";
import { useBoardEvents, type BoardEvent } from "@/lib/hooks/use-board-events";
import { readStorage, writeStorage } from "@/lib/hooks/use-local-storage";
import { toast } from "@/lib/hooks/use-toast";
import { taskListSchema, taskSchema, type TaskDto } from "@/lib/schemas/task";
import { announceFinished, LAST_FINISH_KEY } from "./notify-finished";

/** On a first visit, finishes from the last hour still count as news. */
const FIRST_VISIT_WINDOW_MS = 60 * 60 * 1000;
const MAX_LISTED = 3;
const CATCH_UP_INTERVAL_MS = 30_000;

function lastSeen(): number {
  const stored = Number(readStorage(LAST_FINISH_KEY));
  return Number.isFinite(stored) && stored > 0 ? stored : Date.now() - FIRST_VISIT_WINDOW_MS;
}

function markSeen(finishedAt: string | null): void {
  if (!finishedAt) return;
  const at = Date.parse(finishedAt);
  const stored = Number(readStorage(LAST_FINISH_KEY)) || 0;
  if (at > stored) writeStorage(LAST_FINISH_KEY, String(at));
}

async function recentFinishes(): Promise<TaskDto[]> {
  const [done, failed] = await Promise.all(
    (["DONE", "FAILED"] as const).map((status) => api.get(`/api/tasks?status=${status}&limit=50`, taskListSchema)),
  );
  return [...done!.items, ...failed!.items].filter((task) => task.finishedAt);
}

/**
 * Announces tasks that finished since the last one this browser saw, e.g. while the page was
 * closed. On load a browser notification would only repeat what the user is looking at.
 */
async function catchUp(browser: boolean): Promise<void> {
  const since = lastSeen();
  const fresh = (await recentFinishes())
    .filter((task) => Date.parse(task.finishedAt!) > since)
    .sort((a, b) => Date.parse(a.finishedAt!) - Date.parse(b.finishedAt!));
  // One task gets its own toast; several get one summary, so a returning user is not buried in toasts.
  if (fresh.length === 1) announceFinished(fresh[0]!, { browser });
  else if (fresh.length > 1) {
    const failed = fresh.filter((task) => task.status === "FAILED").length;
    const newest = fresh.slice(-MAX_LISTED);
    toast({
      title: `${fresh.length} tasks finished while you were away${failed ? ` (${failed} failed)` : ""}`,
      description: newest.map((task) => `#${task.number} ${task.title}`).reverse().join(" · ") + (fresh.length > MAX_LISTED ? " · …" : ""),
      variant: failed ? "error" : "success",
      action: { label: "Open board", href: newest[newest.length - 1]!.workspaceId === null ? "/" : `/workspaces/${newest[newest.length - 1]!.workspaceId}/board` },
      duration: 10_000,
    });
  }
  const newest = fresh[fresh.length - 1] ?? null;
  if (newest) markSeen(newest.finishedAt);
  else if (!readStorage(LAST_FINISH_KEY)) writeStorage(LAST_FINISH_KEY, String(Date.now()));
}

async function onFinished(event: BoardEvent): Promise<void> {
  if (event.type !== "task.finished") return;
  const task = await api.get(`/api/tasks/${event.taskId}`, taskSchema);
  announceFinished(task);
  markSeen(task.finishedAt);
}

/**
 * Toasts and browser notifications for finished tasks: live from the event stream, and on
 * load (and every 30 s while the stream is down) for finishes this browser has not seen yet.
 */
export function FinishNotifier() {
  const status = useBoardEvents((event) => void onFinished(event).catch(() => undefined));

  useEffect(() => {
    void catchUp(false).catch(() => undefined);
  }, []);

  useEffect(() => {
    if (status === "open") return;
    const timer = setInterval(() => void catchUp(true).catch(() => undefined), CATCH_UP_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [status]);

  return null;
}

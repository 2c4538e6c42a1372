import { cancelledHere } from "@/lib/hooks/use-task-actions";
import { toast } from "@/lib/hooks/use-toast";
import type { TaskDto } from "@/lib/schemas/task";
import { isReadyToMerge, needsPersonReason } from "@/lib/review-status";

export const LAST_FINISH_KEY = "ai-slave:last-finish-seen";

/** Every finish is announced once per page, whichever way it was first seen. */
const announced = new Set<string>();

function describe(task: TaskDto): { title: string; body: string; variant: "success" | "error" | "info" } {
  const needsPerson = needsPersonReason(task);
  // Checks that still fail, a reviewer that still requests changes, a failed review: a person decides.
  if (needsPerson) return { title: `#${task.number} needs you: ${task.title}`, body: `Done, but ${needsPerson}.`, variant: "error" };
  if (task.status === "DONE" && isReadyToMerge(task)) return { title: `#${task.number} approved: ${task.title}`, body: "Reviewed and approved: ready to merge.", variant: "success" };
  if (task.status === "DONE") return { title: `#${task.number} finished: ${task.title}`, body: "Ready for review.", variant: "success" };
  const cancelled = /cancel/i.test(task.failureReason ?? "");
  return {
    title: `#${task.number} ${cancelled ? "cancelled" : "failed"}: ${task.title}`,
    body: task.failureReason ?? "The run failed.",
    variant: cancelled ? "info" : "error",
  };
}

function showBrowserNotification(task: TaskDto, title: string, body: string): void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body, tag: `ai-slave-task-${task.id}` });
    notification.onclick = () => {
      window.focus();
      window.location.href = `/tasks/${task.id}`;
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the toast still shows.
  }
}

/** Toast plus browser notification for a task that reached DONE or FAILED. */
export function announceFinished(task: TaskDto, options: { browser?: boolean } = {}): boolean {
  if (task.status !== "DONE" && task.status !== "FAILED") return false;
  const key = `${task.id}:${task.finishedAt ?? ""}`;
  if (announced.has(key)) return false;
  announced.add(key);
  if (cancelledHere.delete(task.id)) return false;
  const { title, body, variant } = describe(task);
  toast({ title, description: body, variant, action: { label: "Open task", href: `/tasks/${task.id}` }, duration: 10_000 });
  if (options.browser !== false) showBrowserNotification(task, title, body);
  return true;
}

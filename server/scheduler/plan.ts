import type { Provider } from "@/lib/enums";

/** A TODO task as the dispatcher sees it, in queue order. */
export interface QueuedTask {
  id: number;
  workspaceId: number;
  provider: Provider;
  notBefore: Date | null;
  waitingReason: string | null;
}

export interface DispatchInput {
  queue: QueuedTask[];
  runningByWorkspace: Map<number, number>;
  limitByWorkspace: Map<number, number>;
  /** Free slots on the runner over all workspaces. */
  runnerCapacity: number;
  /** Providers whose quota is exhausted, with the reset time. */
  blockedProviders: Map<Provider, Date | null>;
  now: Date;
}

export interface DispatchPlan {
  start: number[];
  /** Waiting reasons to show on tasks that cannot go yet (only changed ones). */
  waiting: { id: number; reason: string | null }[];
  /** The next moment something becomes due (a backoff or a quota reset), if any. */
  wakeAt: Date | null;
}

/** First in, first out, within each workspace's limit and the runner's capacity, around quotas. */
export function planDispatch(input: DispatchInput): DispatchPlan {
  const running = new Map(input.runningByWorkspace);
  const start: number[] = [];
  const waiting: DispatchPlan["waiting"] = [];
  let capacity = input.runnerCapacity;
  let wakeAt: Date | null = null;
  const wake = (at: Date) => {
    if (!wakeAt || at < wakeAt) wakeAt = at;
  };

  for (const task of input.queue) {
    if (task.notBefore && task.notBefore > input.now) {
      wake(task.notBefore);
      continue;
    }
    const blockedUntil = input.blockedProviders.get(task.provider);
    if (blockedUntil) {
      wake(blockedUntil);
      const reason = `Waiting for quota: the ${task.provider} limit resets at ${blockedUntil.toISOString()}.`;
      if (task.waitingReason !== reason) waiting.push({ id: task.id, reason });
      continue;
    }
    const used = running.get(task.workspaceId) ?? 0;
    if (capacity <= 0 || used >= (input.limitByWorkspace.get(task.workspaceId) ?? 0)) continue;
    start.push(task.id);
    running.set(task.workspaceId, used + 1);
    capacity -= 1;
    if (task.waitingReason?.startsWith("Waiting for quota")) waiting.push({ id: task.id, reason: null });
  }
  return { start, waiting, wakeAt };
}

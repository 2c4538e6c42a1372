import type { Provider } from "@/lib/enums";
import { admit, type HostView } from "./admit";
import { placeOnPool, type PoolView } from "./placement";

export type { HostView } from "./admit";
export type { PoolView } from "./placement";

/** A TODO task as the dispatcher sees it, in queue order. */
export interface QueuedTask {
  id: number;
  /** Null: a pool task not placed yet (`poolId`); the plan picks the member. */
  workspaceId: number | null;
  poolId?: number | null;
  /** The provider of the agent its next run uses (a review's: its reviewer's). */
  provider: Provider;
  notBefore: Date | null;
  waitingReason: string | null;
  /** The account its earlier runs used; with `keepsAccount` the next run must use it too (its session lives there). */
  accountId?: number | null;
  keepsAccount?: boolean;
  /** The provider of the task's `fallbackBackend`, when it has one. */
  fallbackProvider?: Provider | null;
  /** GPUs it asks for (0: none). */
  gpus?: number;
}

/** An account the dispatcher may hand out, with its hold (exhausted, or a window above the threshold). */
export interface AccountView {
  /** null: the provider's implicit default account. */
  id: number | null;
  label: string;
  hold: { until: Date; why: string } | null;
}

export interface DispatchInput {
  queue: QueuedTask[];
  runningByWorkspace: Map<number, number>;
  limitByWorkspace: Map<number, number>;
  /** Free slots on the runner over all workspaces. */
  runnerCapacity: number;
  /** Per provider, its accounts in the order they are tried; a provider missing here has one free implicit account. */
  accounts: Map<Provider, AccountView[]>;
  /** Per workspace, its host's memory and GPUs (see HostView). */
  hosts?: Map<number, HostView>;
  /** Per host key, the GPU indices running tasks of this server hold. */
  heldGpus?: Map<string, Set<number>>;
  /** The pools that unplaced tasks target. */
  pools?: Map<number, PoolView>;
  /** Per pool member, when this server last placed a task on it, as a rising count (absent: never). */
  lastPlaced?: Map<number, number>;
  now: Date;
}

/** The account a started task runs under; `fallback` when it runs on its fallback backend, with the reason. */
export interface AccountChoice {
  accountId: number | null;
  fallback: string | null;
  /** The GPUs given to a task that asked for some. */
  gpuIndices?: number[];
  /** For a pool task: the member it is placed on (set by its claim), and why, for the run log. */
  workspaceId?: number;
  placement?: string;
}

export interface DispatchPlan {
  start: number[];
  /** The account of each started task. */
  choices: Map<number, AccountChoice>;
  /** Waiting reasons to show on tasks that cannot go yet (only changed ones). */
  waiting: { id: number; reason: string | null }[];
  /** The next moment something becomes due (a backoff or a quota reset), if any. */
  wakeAt: Date | null;
}

const IMPLICIT: AccountView[] = [{ id: null, label: "default", hold: null }];

/** How the reason of a task that waits for the runner's own limit (not its workspace's) begins. */
export const RUNNER_FULL_PREFIX = "Waiting for a free slot on this server";

/** The reason of a due task on a workspace with room while the runner runs as many agents as it may. */
export function runnerFullReason(max: number): string {
  if (max <= 0) return `${RUNNER_FULL_PREFIX}: it is set to run no agents (AI_SLAVE_MAX_CONCURRENCY is ${max}).`;
  return `${RUNNER_FULL_PREFIX}: it runs at most ${max} agent${max === 1 ? "" : "s"} at once (AI_SLAVE_MAX_CONCURRENCY), and all are busy.`;
}

/** Why no account of the provider can take the task: the same words for every task waiting on the same thing. */
function heldReason(provider: Provider, held: AccountView[]): { reason: string; until: Date } {
  const until = new Date(Math.min(...held.map((account) => account.hold!.until.getTime())));
  const [only] = held;
  if (held.length === 1 && only.id === null) {
    const reason = only.hold!.why === "exhausted"
      ? `Waiting for quota: the ${provider} limit resets at ${until.toISOString()}.`
      : `Waiting for quota: the ${provider} ${only.hold!.why}; it resets at ${until.toISOString()}.`;
    return { reason, until };
  }
  if (held.length === 1) return { reason: `Waiting for quota: ${provider} account ${only.label} is held (${only.hold!.why}) until ${until.toISOString()}.`, until };
  const each = held.map((account) => `${account.label}: ${account.hold!.why}`).join("; ");
  return { reason: `Waiting for quota: every ${provider} account is held (${each}); the first is free at ${until.toISOString()}.`, until };
}

/** The task's account: its own when it keeps one, else the first free one by priority; null when all are held. */
function chooseAccount(task: QueuedTask, accounts: AccountView[]): { account: AccountView | null; held: AccountView[] } {
  const pinned = task.keepsAccount && task.accountId != null ? accounts.find((account) => account.id === task.accountId) : undefined;
  const candidates = pinned ? [pinned] : accounts;
  const account = candidates.find((candidate) => candidate.hold === null) ?? null;
  return { account, held: account ? [] : candidates };
}

/** Whether the task may start on its workspace's host now; the GPUs it gets are held for the tasks after. */
function admitOnHost(task: QueuedTask, host: HostView | undefined, held: Map<string, Set<number>>): { gpuIndices: number[] | null } | { reason: string } {
  const taken = (host && held.get(host.hostKey)) ?? new Set<number>();
  const admission = admit(task.gpus ?? 0, host, taken);
  if (host && "gpuIndices" in admission && admission.gpuIndices) held.set(host.hostKey, new Set([...taken, ...admission.gpuIndices]));
  return admission;
}

/** First in, first out, within each workspace's limit and the runner's capacity, around quotas. */
export function planDispatch(input: DispatchInput): DispatchPlan {
  const running = new Map(input.runningByWorkspace);
  const start: number[] = [];
  const choices = new Map<number, AccountChoice>();
  const waiting: DispatchPlan["waiting"] = [];
  let capacity = input.runnerCapacity;
  let wakeAt: Date | null = null;
  const wake = (at: Date) => {
    if (!wakeAt || at < wakeAt) wakeAt = at;
  };
  const accountsOf = (provider: Provider) => input.accounts.get(provider) ?? IMPLICIT;
  // Copies: GPUs given out in this pass are held for the tasks after.
  const held = new Map([...(input.heldGpus ?? new Map<string, Set<number>>())].map(([key, indices]) => [key, new Set(indices)]));
  // This pass's placements count as the latest, after every earlier one.
  const lastPlaced = new Map(input.lastPlaced);
  let placements = Math.max(0, ...lastPlaced.values());

  for (const task of input.queue) {
    if (task.notBefore && task.notBefore > input.now) {
      wake(task.notBefore);
      continue;
    }
    let choice: AccountChoice;
    const own = chooseAccount(task, accountsOf(task.provider));
    if (own.account) choice = { accountId: own.account.id, fallback: null };
    else {
      const { reason, until } = heldReason(task.provider, own.held);
      const fallback = task.fallbackProvider ? accountsOf(task.fallbackProvider).find((account) => account.hold === null) : undefined;
      if (fallback) choice = { accountId: fallback.id, fallback: reason.replace(/^Waiting for quota: /, "") };
      else {
        wake(until);
        if (task.waitingReason !== reason) waiting.push({ id: task.id, reason });
        continue;
      }
    }
    if (capacity <= 0) continue;
    let workspaceId = task.workspaceId;
    let gpuIndices: number[] | null;
    if (workspaceId === null) {
      const pool = task.poolId != null ? input.pools?.get(task.poolId) : undefined;
      const placement: ReturnType<typeof placeOnPool> = pool
        ? placeOnPool(task.gpus ?? 0, pool, (id) => ({ used: running.get(id) ?? 0, limit: input.limitByWorkspace.get(id) ?? 0, host: input.hosts?.get(id), lastPlaced: lastPlaced.get(id) }), held)
        : { reason: "Waiting for a pool: the task's pool is gone; delete the task or create it again." };
      if ("reason" in placement) {
        if (task.waitingReason !== placement.reason) waiting.push({ id: task.id, reason: placement.reason });
        continue;
      }
      workspaceId = placement.workspaceId;
      gpuIndices = placement.gpuIndices;
      placements += 1;
      lastPlaced.set(workspaceId, placements);
      const host = input.hosts?.get(workspaceId);
      if (host && gpuIndices) held.set(host.hostKey, new Set([...(held.get(host.hostKey) ?? []), ...gpuIndices]));
      choice = { ...choice, workspaceId, placement: placement.message };
    } else {
      if ((running.get(workspaceId) ?? 0) >= (input.limitByWorkspace.get(workspaceId) ?? 0)) {
        // The runner has room again: what holds the task now is its workspace, as for any queued task.
        if (task.waitingReason?.startsWith(RUNNER_FULL_PREFIX)) waiting.push({ id: task.id, reason: null });
        continue;
      }
      const admission = admitOnHost(task, input.hosts?.get(workspaceId), held);
      if ("reason" in admission) {
        if (task.waitingReason !== admission.reason) waiting.push({ id: task.id, reason: admission.reason });
        continue;
      }
      gpuIndices = admission.gpuIndices;
    }
    if (gpuIndices) choice = { ...choice, gpuIndices };
    start.push(task.id);
    choices.set(task.id, choice);
    running.set(workspaceId, (running.get(workspaceId) ?? 0) + 1);
    capacity -= 1;
    if (task.waitingReason?.startsWith("Waiting for")) waiting.push({ id: task.id, reason: null });
  }
  return { start, choices, waiting, wakeAt };
}

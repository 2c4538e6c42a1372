import type { Provider } from "@/lib/enums";
import type { GpuFigures } from "@/lib/schemas/health";
import { pickGpus } from "./gpus";

/** A TODO task as the dispatcher sees it, in queue order. */
export interface QueuedTask {
  id: number;
  workspaceId: number;
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

/**
 * What admission needs of a workspace's host, probed for workspaces with tasks due (a missing
 * entry admits). Workspaces on one machine share its `hostKey`, and so its GPUs.
 */
export interface HostView {
  hostKey: string;
  /** "this machine" or the SSH host, for the waiting reason. */
  label: string;
  /** MB available now; null: unknown (the probe failed or timed out), which admits. */
  freeMemoryMb: number | null;
  minFreeMemoryMb: number;
  /** nvidia-smi's figures; null: unknown. */
  gpus: GpuFigures[] | null;
  /** The indices the workspace may hand out (empty: all). */
  allowedGpus: number[];
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
  now: Date;
}

/** The account a started task runs under; `fallback` when it runs on its fallback backend, with the reason. */
export interface AccountChoice {
  accountId: number | null;
  fallback: string | null;
  /** The GPUs given to a task that asked for some. */
  gpuIndices?: number[];
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

/** Whether the task may start on its workspace's host now: memory, then GPUs (given out from `held`). */
function admit(task: QueuedTask, host: HostView | undefined, held: Map<string, Set<number>>): { gpuIndices: number[] | null } | { reason: string } {
  if (!host) return { gpuIndices: null };
  if (host.minFreeMemoryMb > 0 && host.freeMemoryMb !== null && host.freeMemoryMb < host.minFreeMemoryMb) {
    return { reason: `Waiting for memory on ${host.label}: an agent starts there once ${host.minFreeMemoryMb} MB are free.` };
  }
  const want = task.gpus ?? 0;
  if (want === 0) return { gpuIndices: null };
  const taken = held.get(host.hostKey) ?? new Set<number>();
  const picked = host.gpus ? pickGpus(want, host.gpus, host.allowedGpus, taken) : null;
  if (!picked) return { reason: `Waiting for ${want} idle GPU${want === 1 ? "" : "s"} on ${host.label}.` };
  held.set(host.hostKey, new Set([...taken, ...picked]));
  return { gpuIndices: picked };
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
    const used = running.get(task.workspaceId) ?? 0;
    if (capacity <= 0 || used >= (input.limitByWorkspace.get(task.workspaceId) ?? 0)) continue;
    const admission = admit(task, input.hosts?.get(task.workspaceId), held);
    if ("reason" in admission) {
      if (task.waitingReason !== admission.reason) waiting.push({ id: task.id, reason: admission.reason });
      continue;
    }
    if (admission.gpuIndices) choice = { ...choice, gpuIndices: admission.gpuIndices };
    start.push(task.id);
    choices.set(task.id, choice);
    running.set(task.workspaceId, used + 1);
    capacity -= 1;
    if (task.waitingReason?.startsWith("Waiting for")) waiting.push({ id: task.id, reason: null });
  }
  return { start, choices, waiting, wakeAt };
}

import type { Provider } from "@/lib/enums";

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
  now: Date;
}

/** The account a started task runs under; `fallback` when it runs on its fallback backend, with the reason. */
export interface AccountChoice {
  accountId: number | null;
  fallback: string | null;
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

  for (const task of input.queue) {
    if (task.notBefore && task.notBefore > input.now) {
      wake(task.notBefore);
      continue;
    }
    let choice: AccountChoice | null = null;
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
    start.push(task.id);
    choices.set(task.id, choice);
    running.set(task.workspaceId, used + 1);
    capacity -= 1;
    if (task.waitingReason?.startsWith("Waiting for quota")) waiting.push({ id: task.id, reason: null });
  }
  return { start, choices, waiting, wakeAt };
}

import "server-only";
import { BACKEND_PROVIDER, type Backend } from "@/lib/enums";
import { db } from "@/server/db/client";
import { directRead } from "@/server/db/log-connection";
import { sqlDate } from "@/server/db/sql-date";
import type { NewTaskView } from "@/server/services";
import { accountSlots, expireQuotaResets } from "@/server/quota/service";
import { claimTask, setRunnerFullReason, setWaitingReasons } from "@/server/lifecycle/task-state";
import { gateOnDependencies } from "./dependencies";
import { AwayHosts, heldGpus, hostViews } from "./admission";
import { planDispatch, RUNNER_FULL_PREFIX, runnerFullReason, type AccountChoice, type PoolView, type QueuedTask } from "./plan";

/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs that resume the task's session: they keep the account it lives in. */
const KEEPS_ACCOUNT = new Set(["continue", "fix", "auto_retry"]);

export interface SchedulerOptions {
  scanIntervalMs: number;
  runnerMaxConcurrency: number;
  /** Runs a claimed task under the account chosen for it; the scheduler does not wait for it. */
  execute: (taskId: number, choice: AccountChoice) => Promise<void>;
}

interface QueueRow {
  id: number;
  workspaceId: number | null;
  poolId: number | null;
  backend: string;
  nextRunKind: string;
  reviewBackend: string | null;
  notBefore: Date | null;
  waitingReason: string | null;
  accountId: number | null;
  fallbackBackend: string | null;
  gpus: number;
}

/**
 * The TODO tasks a pass has to look at, in dispatch order, with what the plan needs. A task on a
 * workspace at its limit cannot start and, unless something else concerns it, its pass changes
 * nothing, so it is not read: read are the tasks on workspaces with a free slot (`open`), the
 * unplaced pool tasks, those that wait on parents, those that show a waiting reason (it may have
 * to change; not the runner's own while the runner stays full: `runnerFull`), and those whose agent's provider has an account on hold (`heldBackends`: they get
 * a quota reason wherever they are queued). A queue of thousands on full workspaces is then a few
 * rows. A task in a backoff (`notBefore` still ahead) cannot start either and is not read: the pass
 * wakes at the earliest of those times (nextDue). Read directly (directRead): Prisma's per-row
 * conversion cost a pass most of its time (bench: scheduler pass). Dates are stored as ISO text in
 * one form (sqlDate), so their text order is their time order.
 */
export function queuedTasks(open: readonly number[], heldBackends: readonly string[], now = new Date(), runnerFull = false): QueueRow[] {
  const rows = directRead<Omit<QueueRow, "notBefore"> & { notBefore: string | null }>(
    `SELECT "id", "workspaceId", "poolId", "backend", "nextRunKind", "reviewBackend", "notBefore", "waitingReason", "accountId", "fallbackBackend", "gpus"
     FROM "Task" WHERE "status" = 'TODO' AND ("notBefore" IS NULL OR "notBefore" <= ?) AND (
       "workspaceId" IS NULL OR ("waitingReason" IS NOT NULL AND NOT (? AND instr("waitingReason", ?) = 1)) OR ("nextRunKind" = 'initial' AND "dependsOn" <> '[]')
       OR "workspaceId" IN (SELECT "value" FROM json_each(?))
       OR "backend" IN (SELECT "value" FROM json_each(?)) OR "reviewBackend" IN (SELECT "value" FROM json_each(?))
     ) ORDER BY "queuedAt" ASC, "id" ASC`,
    sqlDate(now),
    // While the runner is full, those that wait for it stay unread too: nothing about them can change.
    runnerFull ? 1 : 0,
    RUNNER_FULL_PREFIX,
    JSON.stringify(open),
    JSON.stringify(heldBackends),
    JSON.stringify(heldBackends),
  );
  // Converted in place: the rows are new objects of this read.
  for (const row of rows) if (row.notBefore !== null) (row as unknown as QueueRow).notBefore = new Date(row.notBefore);
  return rows as unknown as QueueRow[];
}

/** nextDue's read: one step down the (status, notBefore) index, however long the queue. */
export const NEXT_DUE_SQL = `SELECT MIN("notBefore") AS "at" FROM "Task" WHERE "status" = 'TODO' AND "notBefore" > ?`;

/** The earliest time a queued task's backoff ends (the tasks queuedTasks leaves unread until then), or null. */
export function nextDue(now = new Date()): Date | null {
  const [row] = directRead<{ at: string | null }>(NEXT_DUE_SQL, sqlDate(now));
  return row?.at ? new Date(row.at) : null;
}

/** Whether a workspace runs as many tasks as its limit allows (the pass's own test: `open`); false for a workspace that is gone. */
export function workspaceFull(workspaceId: number): boolean {
  const [row] = directRead<{ full: number }>(
    `SELECT (SELECT COUNT(*) FROM "Task" WHERE "workspaceId" = "Workspace"."id" AND "status" = 'RUNNING') >= "concurrencyLimit" AS "full" FROM "Workspace" WHERE "id" = ?`,
    workspaceId,
  );
  return row?.full === 1;
}

/** workspaceFull, and false when the count cannot be read: then a pass decides. */
function surelyFull(workspaceId: number): boolean {
  try {
    return workspaceFull(workspaceId);
  } catch {
    return false;
  }
}

/** The backends whose provider has an account on hold (exhausted, or a window past the threshold). */
function backendsOnHold(accounts: Awaited<ReturnType<typeof accountSlots>>): string[] {
  return (Object.keys(BACKEND_PROVIDER) as Backend[]).filter((backend) => accounts.get(BACKEND_PROVIDER[backend])?.some((account) => account.hold !== null));
}

/**
 * Dispatches TODO tasks. Event-driven: poke() runs a pass at once (new task, finished run,
 * changed limit); a timer wakes it for the next backoff or quota reset; the periodic scan is
 * only a safety net. A task is claimed with a conditional UPDATE (task-state.ts), so it never starts twice.
 */
export class Scheduler {
  private scanTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private passing: Promise<void> | null = null;
  private again = false;
  /** Whether the pending pass has begun reading the queue (a poke before that needs no other). */
  private passStarted = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Pool members that stopped answering, left out of placement for a while. */
  private readonly away = new AwayHosts();
  /** When this scheduler last started a pool task on each member (a rising count): ties go to the least recent. */
  private readonly lastPlaced = new Map<number, number>();
  private placements = 0;
  /** The backends the last pass found on hold (backendsOnHold): their tasks get a reason wherever they are queued. */
  private heldBackends: readonly string[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    this.scanTimer = setInterval(() => this.poke("periodic scan"), this.options.scanIntervalMs);
    this.scanTimer.unref();
    this.poke("start");
  }

  /**
   * Asks for a dispatch pass; passes never overlap, and pokes during one cause one more. The pass
   * starts on the next turn of the event loop, not inside the caller: a request that queued a task
   * answers before the pass reads the queue and starts agents, and a burst of pokes (fifty tasks
   * queued at once) is one pass.
   */
  poke(_reason: string): void {
    if (this.stopped) return;
    if (this.passing) {
      if (this.passStarted) this.again = true;
      return;
    }
    this.passStarted = false;
    this.passing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.passStarted = true;
        return this.stopped ? [] : this.dispatchPass();
      })
      .then(() => undefined)
      .catch((error: unknown) => console.error("[scheduler] dispatch pass failed", error))
      .finally(() => {
        this.passing = null;
        if (this.again) {
          this.again = false;
          this.poke("again");
        }
      });
  }

  /**
   * A task was queued: a pass, unless that pass could change nothing for it. A task on a
   * workspace at its limit that waits for no other task, of a backend not on hold, is not even
   * read by a pass (queuedTasks), so its pass would only start what the last one already could:
   * none is asked for, and the run that frees a slot pokes once its task has left RUNNING (so
   * the count read here either sees the slot free or comes before that poke). A burst of tasks
   * queued onto full workspaces (four clients posting 450 tasks) then costs no pass per task:
   * 3.8-4.7 ms of the server's CPU per POST instead of 4.6-5.8 (by hand). A count that cannot be
   * read (the database locked by another process) asks for the pass, which waits.
   */
  queued(task: NewTaskView): void {
    const held = (backend: string | null) => backend !== null && this.heldBackends.includes(backend);
    if (task.workspaceId !== null && task.dependsOn === "[]" && !held(task.backend) && !held(task.reviewBackend) && surelyFull(task.workspaceId)) return;
    this.poke("task created");
  }

  /** Resolves when no pass is running and no pass is pending. */
  async idle(): Promise<void> {
    while (this.passing) await this.passing;
  }

  /** One pass: claim and start every task that may run now. Returns the started ids. */
  async dispatchPass(now = new Date()): Promise<number[]> {
    await expireQuotaResets(now);
    const [running, workspaces, accounts] = await Promise.all([
      db().task.groupBy({ by: ["workspaceId"], where: { status: "RUNNING" }, _count: { _all: true } }),
      db().workspace.findMany(),
      accountSlots(now),
    ]);
    const runningBy = new Map(running.flatMap((group) => (group.workspaceId === null ? [] : [[group.workspaceId, group._count._all] as const])));
    const open = new Set(workspaces.filter((workspace) => (runningBy.get(workspace.id) ?? 0) < workspace.concurrencyLimit).map((workspace) => workspace.id));
    const runningTotal = running.reduce((sum, group) => sum + group._count._all, 0);
    // The counts first, then only the part of the queue they leave to decide: with the runner
    // at its own limit no workspace can take a task.
    const runnerFull = runningTotal >= this.options.runnerMaxConcurrency;
    this.heldBackends = backendsOnHold(accounts);
    const queue = queuedTasks(runnerFull ? [] : [...open], this.heldBackends, now, runnerFull);
    const pools = await poolViews(queue);
    // Tasks waiting for their parents are neither probed for nor planned.
    const gate = await gateOnDependencies(queue);
    // Probed only where a task is due (queuedTasks read no other) and a slot is free.
    const due = gate.ready;
    // The GPUs running tasks hold matter only to a due task that wants some: most passes have none
    // and skip the read (two statements: the tasks, then their workspaces).
    const gpuHolders = due.some((task) => task.gpus > 0)
      ? await db().task.findMany({ where: { status: "RUNNING", gpus: { gt: 0 } }, select: { gpuIndices: true, workspace: { select: { type: true, host: true, port: true } } } })
      : [];
    // Pool tasks: every member with a free slot is probed, which also tells whether it answers.
    const members = (task: (typeof due)[number]) => (task.workspaceId !== null ? [task.workspaceId] : (pools.get(task.poolId ?? -1)?.members.map((member) => member.id) ?? []));
    const hosts = await hostViews(
      workspaces,
      new Set(due.flatMap(members).filter((id) => open.has(id))),
      new Set(due.filter((task) => task.gpus > 0).flatMap(members)),
      new Set(due.filter((task) => task.workspaceId === null).flatMap(members).filter((id) => open.has(id))),
      this.away,
    );
    const plan = planDispatch({
      // A review waits for its reviewer's quota, not the task agent's.
      queue: gate.ready.map((task): QueuedTask => {
        const review = task.nextRunKind === "review" && task.reviewBackend !== null;
        // Completed in place: the rows are this pass's own, and a queue of thousands is copied for nothing otherwise.
        const queued = task as unknown as QueuedTask;
        queued.provider = BACKEND_PROVIDER[(review ? task.reviewBackend : task.backend) as Backend];
        queued.keepsAccount = !review && KEEPS_ACCOUNT.has(task.nextRunKind);
        queued.fallbackProvider = !review && task.fallbackBackend ? BACKEND_PROVIDER[task.fallbackBackend as Backend] : null;
        return queued;
      }),
      runningByWorkspace: runningBy,
      limitByWorkspace: new Map(workspaces.map((workspace) => [workspace.id, workspace.concurrencyLimit])),
      runnerCapacity: this.options.runnerMaxConcurrency - runningTotal,
      accounts,
      hosts,
      heldGpus: heldGpus(gpuHolders),
      pools,
      lastPlaced: this.lastPlaced,
      now,
    });
    // One statement per distinct reason, and only for tasks whose reason changed.
    if (plan.waiting.length + gate.waiting.length > 0) await setWaitingReasons([...plan.waiting, ...gate.waiting]);
    if (runnerFull) await setRunnerFullReason([...open], runnerFullReason(this.options.runnerMaxConcurrency), now);
    const started: number[] = [];
    for (const id of plan.start) {
      // A pool task's claim also places it on the member the plan chose.
      const choice = plan.choices.get(id);
      if (await claimTask(id, now, choice?.workspaceId)) {
        if (choice?.placement && choice.workspaceId !== undefined) this.lastPlaced.set(choice.workspaceId, ++this.placements);
        started.push(id);
        this.launch(id, choice ?? { accountId: null, fallback: null });
      }
    }
    // The plan's wake-up (a quota reset) or the end of a backoff queuedTasks left unread, whichever is first.
    const backoffEnd = nextDue(now);
    this.scheduleWake(!plan.wakeAt || (backoffEnd && backoffEnd < plan.wakeAt) ? backoffEnd : plan.wakeAt, now);
    return started;
  }

  private launch(taskId: number, choice: AccountChoice): void {
    const running = this.options.execute(taskId, choice).catch((error: unknown) => console.error(`[scheduler] task ${taskId} crashed`, error));
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private scheduleWake(at: Date | null, now: Date): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (!at || this.stopped) return;
    // Node's timers hold 32 bits: a later time (a backoff weeks ahead) would fire at once, and every
    // pass would set it again, a loop of passes. The periodic scan and each later pass set it anew.
    this.wakeTimer = setTimeout(() => this.poke("wake"), Math.min(MAX_TIMER_MS, Math.max(0, at.getTime() - now.getTime()) + 50));
    this.wakeTimer.unref();
  }

  /** Stops dispatching; runs already started go on (shutdown cancels them separately). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.idle();
  }

  /** Resolves when every run this scheduler started has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

/** The pools that unplaced tasks of the queue target, members in id order. */
async function poolViews(queue: { workspaceId: number | null; poolId: number | null }[]): Promise<Map<number, PoolView>> {
  const ids = [...new Set(queue.flatMap((task) => (task.workspaceId === null && task.poolId !== null ? [task.poolId] : [])))];
  if (ids.length === 0) return new Map();
  const rows = await db().pool.findMany({
    where: { id: { in: ids } },
    select: { id: true, name: true, members: { select: { workspace: { select: { id: true, name: true } } }, orderBy: { workspaceId: "asc" } } },
  });
  return new Map(rows.map((row) => [row.id, { name: row.name, members: row.members.map((member) => member.workspace) }]));
}

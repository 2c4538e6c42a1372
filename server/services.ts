import { EventBus } from "./events/bus";
import { processSingleton, setSingleton } from "./singleton";

/** What the scheduler needs to know of a new task to tell whether a pass could start it. */
export interface NewTaskView {
  workspaceId: number | null;
  /** JSON array of task ids, "[]" when none. */
  dependsOn: string;
  backend: string;
  reviewBackend: string | null;
}

/** What the API asks of the scheduler: dispatch now, a task was queued, stop. */
export interface SchedulerHandle {
  poke(reason: string): void;
  /** A new task: a dispatch pass unless it could not start anyway (scheduler.ts). */
  queued(task: NewTaskView): void;
  stop(): Promise<void>;
}

/** What the API and the runs ask of the merge queue's worker: go on with a workspace's queue now. */
export interface MergeQueueHandle {
  poke(workspaceId?: number): void;
  /** No new step; the one in flight gets `graceMs` (default 3 s) to end. */
  stop(graceMs?: number): Promise<void>;
}

/** What the API asks of the runs this process supervises. */
export interface RunControl {
  /** Cancels a live run of the task; false when this process runs none for it. */
  cancel(taskId: number): Promise<boolean>;
  isActive(taskId: number): boolean;
}

/**
 * Process-wide services, one container per process (a process singleton). Every member is
 * always there: until boot (server/boot.ts) starts the real ones, a process only serves requests
 * and dispatches nothing; its queued tasks wait in TODO for the scheduler's first pass, which
 * picks up everything queued before it.
 */
export interface Services {
  bus: EventBus;
  scheduler: SchedulerHandle;
  mergeQueue: MergeQueueHandle;
  runControl: RunControl;
  /** Probes the agent CLIs again (after a CLI path changed). */
  refreshRunner: () => Promise<void>;
  started: boolean;
  /**
   * Settles when boot has started the real services (until then a request is served by the
   * stand-ins below); null before boot began. Boot runs beside the first requests, not before them.
   */
  booting: Promise<void> | null;
  /** Timers of the background services (heartbeat, log compaction), stopped at shutdown. */
  stopBackground: (() => void)[];
}

/** Before boot: no scheduler runs in this process yet, so a poke has nothing to wake. */
const NOT_STARTED_SCHEDULER: SchedulerHandle = { poke: () => undefined, queued: () => undefined, stop: async () => undefined };
const NOT_STARTED_MERGE_QUEUE: MergeQueueHandle = { poke: () => undefined, stop: async () => undefined };
const NO_RUNS: RunControl = { cancel: async () => false, isActive: () => false };

function fresh(): Services {
  return { bus: new EventBus(), scheduler: NOT_STARTED_SCHEDULER, mergeQueue: NOT_STARTED_MERGE_QUEUE, runControl: NO_RUNS, refreshRunner: async () => undefined, started: false, booting: null, stopBackground: [] };
}

/** Whether this process's scheduler has started (false before and during boot, and in a process that never boots). */
export function schedulerRunning(): boolean {
  return services().scheduler !== NOT_STARTED_SCHEDULER;
}

export function services(): Services {
  return processSingleton("services", fresh);
}

/** Tests start from a clean slate. */
export function resetServicesForTests(): void {
  setSingleton("services", undefined);
}

import { EventBus } from "./events/bus";

/**
 * Process-wide services. Next bundles instrumentation, route handlers and server.ts separately,
 * each with its own copy of module state, so everything shared lives under one key on globalThis.
 */
export interface Services {
  bus: EventBus;
  /** Set by the scheduler when it starts; route handlers ask it to dispatch at once. */
  scheduler?: { poke(reason: string): void; stop(): Promise<void> };
  /** Set by the executor: cancels a live run of a task. */
  runControl?: { cancel(taskId: number): Promise<boolean>; isActive(taskId: number): boolean };
  /** Set by boot: probes the agent CLIs again (after a CLI path changed). */
  refreshRunner?: () => Promise<void>;
  started: boolean;
  /** Timers of the background services (heartbeat, log compaction), stopped at shutdown. */
  stopBackground?: (() => void)[];
}

const KEY = Symbol.for("ai-slave.services");
type GlobalWithServices = typeof globalThis & { [KEY]?: Services };

export function services(): Services {
  const scope = globalThis as GlobalWithServices;
  scope[KEY] ??= { bus: new EventBus(), started: false };
  return scope[KEY];
}

/** Tests start from a clean slate. */
export function resetServicesForTests(): void {
  (globalThis as GlobalWithServices)[KEY] = undefined;
}

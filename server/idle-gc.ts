/**
 * Memory given back when the server turns quiet.
 *
 * Under load V8 lets garbage pile up in a grown heap and keeps the pages: after 100 tasks the
 * server's RSS stood 73-82 MB above its RSS at start while heap snapshots (which collect first)
 * found the live heap only 5 MB larger (49.9 MB at start, 54.5 MB after). Nothing leaked; the
 * memory was simply never asked back, and V8's own memory reducer did not act within seconds.
 *
 * So every second the server looks at how busy its event loop was since the last look. When
 * it was nearly idle (no run printing, no requests to speak of) and the heap holds well more than
 * after the last full collection, it runs one full collection then, while nobody waits for it,
 * and a compacting one: a plain collection freed the garbage but kept the old generation's pages
 * (65-75 MB of them for 30 MB of live objects after 100 tasks), so the RSS did not come down.
 * Under load it never does: V8 collects as it always did. The young generation is the other half:
 * V8 grows it to 32 MB under a burst and never shrinks it, so the server runs with 4 MB
 * semi-spaces (NODE_FLAGS, scripts/production-server.ts).
 *
 * Outside V8's heap, each SQLite connection keeps the pages it read in its page cache until it
 * closes. Whoever holds a connection registers its release (`releaseWhenQuiet`: `PRAGMA
 * shrink_memory`), and the same check calls them on the first quiet second after a busy one. The
 * pages go back to malloc, which returns to the system only what lies at the top of its heap, but
 * what the next burst allocates reuses them instead of growing the heap further (after 50 SSE
 * clients of a 200,000-line run: the heap 8.3 MB above its start with the release, 10.5 without).
 */
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { processSingleton } from "./singleton";

/** The releases registered, by name: one per connection (a reopened connection replaces its entry). */
const releasers = () => processSingleton("quiet-releasers", () => new Map<string, () => void>());

/** Registers `release` (under `name`, replacing an earlier one) to run each time the server turns quiet. */
export function releaseWhenQuiet(name: string, release: () => void): void {
  releasers().set(name, release);
}

/** Runs every registered release; one that throws (its connection closed) is dropped. */
export function releaseQuietMemory(): void {
  for (const [name, release] of releasers()) {
    try {
      release();
    } catch {
      releasers().delete(name);
    }
  }
}

export interface IdleGcPolicy {
  /** Event-loop utilisation over the last interval at or below which the server counts as quiet. */
  quietUtilization: number;
  /** Heap growth since the last full collection that makes one worth its pause. */
  minGrowthBytes: number;
}

export const DEFAULT_IDLE_GC_POLICY: IdleGcPolicy = { quietUtilization: 0.05, minGrowthBytes: 8 * 1024 * 1024 };

/** Whether to collect now: quiet since the last look, and grown enough since the last collection. */
export function shouldCollect(input: { utilization: number; heapUsed: number; heapAfterLastGc: number }, policy: IdleGcPolicy = DEFAULT_IDLE_GC_POLICY): boolean {
  return input.utilization <= policy.quietUtilization && input.heapUsed - input.heapAfterLastGc >= policy.minGrowthBytes;
}

/** V8's full collection, made reachable without a command-line flag; null if this runtime refuses. */
export function fullGc(): (() => void) | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * A full collection that also compacts: a plain one frees the garbage but keeps every page that
 * still holds a live object, so the heap's pages (and the RSS) stay at their high-water mark.
 * V8 reads the flag at each collection; it is set only for this one.
 */
export function compactingGc(gc: () => void): void {
  v8.setFlagsFromString("--compact-on-every-full-gc");
  try {
    gc();
  } finally {
    v8.setFlagsFromString("--no-compact-on-every-full-gc");
  }
}

/** Bytes of live and not yet collected objects in V8's heap (no /proc read, unlike process.memoryUsage). */
const heapUsedBytes = () => v8.getHeapStatistics().used_heap_size;

/**
 * Starts the check every `intervalMs`; returns a stop function. `onCollect` hears each
 * collection's heap before and after (the server logs nothing per collection; tests listen).
 */
export function startIdleGc(options: { intervalMs?: number; policy?: IdleGcPolicy; onCollect?: (before: number, after: number) => void } = {}): () => void {
  const gc = fullGc();
  if (!gc) return () => undefined;
  let last = performance.eventLoopUtilization();
  let heapAfterLastGc = heapUsedBytes();
  let busySinceRelease = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    const quiet = utilization <= (options.policy ?? DEFAULT_IDLE_GC_POLICY).quietUtilization;
    // The first quiet second after a busy one: the caches go back even if the heap did not grow.
    if (quiet && busySinceRelease) {
      busySinceRelease = false;
      releaseQuietMemory();
    } else if (!quiet) busySinceRelease = true;
    const heapUsed = heapUsedBytes();
    // A heap that shrank by itself (V8 collected) is the new floor.
    if (heapUsed < heapAfterLastGc) heapAfterLastGc = heapUsed;
    if (!shouldCollect({ utilization, heapUsed, heapAfterLastGc }, options.policy)) return;
    compactingGc(gc);
    heapAfterLastGc = heapUsedBytes();
    options.onCollect?.(heapUsed, heapAfterLastGc);
    // The collection itself is not load: the next interval starts after it.
    last = performance.eventLoopUtilization();
  }, options.intervalMs ?? 1_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A short-lived cache of probe results by key: many viewers polling one workspace cost one probe
 * every few seconds, and viewers arriving while a probe runs share it. On globalThis, so every
 * bundle of the process shares it.
 */
import { processSingleton } from "@/server/singleton";

interface Entry {
  at: number;
  value: Promise<unknown>;
}

function entries(): Map<string, Entry> {
  return processSingleton("probe-cache", () => new Map<string, Entry>());
}

export function cachedProbe<T>(key: string, ttlMs: number, probe: () => Promise<T>, now = Date.now()): Promise<T> {
  const cache = entries();
  const hit = cache.get(key);
  if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
  const value = probe();
  cache.set(key, { at: now, value });
  // A failed probe is not kept: the next viewer tries again.
  value.catch(() => {
    if (cache.get(key)?.value === value) cache.delete(key);
  });
  return value;
}

export function clearProbeCache(): void {
  entries().clear();
}

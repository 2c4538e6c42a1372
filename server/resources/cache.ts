/**
 * A short-lived cache of probe results by key: many viewers polling one workspace cost one probe
 * every few seconds, and viewers arriving while a probe runs share it. On globalThis, so every
 * bundle of the process shares it.
 */
interface Entry {
  at: number;
  value: Promise<unknown>;
}

const KEY = Symbol.for("ai-slave.probe-cache");
type GlobalWithCache = typeof globalThis & { [KEY]?: Map<string, Entry> };

function entries(): Map<string, Entry> {
  const scope = globalThis as GlobalWithCache;
  scope[KEY] ??= new Map();
  return scope[KEY];
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

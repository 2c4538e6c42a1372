/**
 * Process-wide state, shared by every module graph of the process. Next bundles instrumentation,
 * route handlers and server.ts separately, each with its own copy of module state, so whatever
 * must be one per process lives on globalThis under a registered symbol. This file imports
 * nothing, so both sides (Next's bundles and plain-Node server.ts) can load it.
 */
type Scope = typeof globalThis & Record<symbol, unknown>;

function keyOf(name: string): symbol {
  return Symbol.for(`ai-slave.${name}`);
}

/** The process's one `name`, created on first use. */
export function processSingleton<T>(name: string, create: () => T): T {
  const scope = globalThis as Scope;
  const key = keyOf(name);
  if (!(key in scope) || scope[key] === undefined) scope[key] = create();
  return scope[key] as T;
}

/** The process's `name` if it exists yet. */
export function peekSingleton<T>(name: string): T | undefined {
  return (globalThis as Scope)[keyOf(name)] as T | undefined;
}

/** A count shared by the whole process (open streams, open terminals). */
export interface ProcessCounter {
  value: number;
}

export function processCounter(name: string): ProcessCounter {
  return processSingleton(name, () => ({ value: 0 }));
}

/** Replaces (or, with undefined, forgets) the process's `name`. */
export function setSingleton<T>(name: string, value: T | undefined): void {
  (globalThis as Scope)[keyOf(name)] = value;
}

"use client";

import { useSyncExternalStore } from "react";

let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const entry of listeners) entry();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, ticking once a second; one shared timer for every live clock on the page. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now, () => now);
}

const noSubscription = () => () => undefined;

/**
 * False in the server's render and while the page hydrates it, true after: what depends on the
 * browser's clock or locale (a relative time, a local date) is shown only then, so the server's
 * HTML and the first render in the browser agree (a page rendered on the server with its data,
 * such as the board).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

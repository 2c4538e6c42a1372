"use client";

import { useCallback, useEffect, useState } from "react";

export function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage full or disabled: the value just is not kept.
  }
}

/** A string kept in localStorage, read after mount so server and client render the same first. */
export function useLocalStorage(key: string, initial = ""): [string, (value: string) => void, boolean] {
  const [value, setValue] = useState(initial);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    const stored = readStorage(key);
    if (stored !== null) setValue(stored);
    setLoaded(true);
  }, [key]);

  const update = useCallback(
    (next: string) => {
      setValue(next);
      writeStorage(key, next === initial ? null : next);
    },
    [key, initial],
  );

  return [value, update, loaded];
}

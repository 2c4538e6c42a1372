"use client";

import { useCallback, useState } from "react";

/**
 * Runs an action with a busy flag for its button. Failures are the action's to report (it
 * toasts); `run` tells whether it succeeded, so a dialog closes only then.
 */
export function useBusy() {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (action: () => Promise<unknown> | void): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      return true;
    } catch {
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, run };
}

"use client";

import type { ReactNode } from "react";
import { SWRConfig } from "swr";
import { Toaster } from "@/components/ui/toaster";
import { FinishNotifier } from "@/components/notifications/finish-notifier";
import { isApiError } from "@/lib/api-client";

/** A 4xx will not change on retry (a missing endpoint, a deleted task): only 5xx and network errors retry. */
function shouldRetry(error: unknown): boolean {
  return !isApiError(error) || error.status === 0 || error.status >= 500;
}

export function Providers({ children }: { children: ReactNode }) {
  return (
    <SWRConfig
      value={{
        onErrorRetry: (error, _key, _config, revalidate, { retryCount }) => {
          if (!shouldRetry(error) || retryCount >= 5) return;
          setTimeout(() => void revalidate({ retryCount }), Math.min(30_000, 2000 * 2 ** retryCount));
        },
      }}
    >
      {children}
      <FinishNotifier />
      <Toaster />
    </SWRConfig>
  );
}

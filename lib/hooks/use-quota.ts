"use client";

import useSWR from "swr";
import type { Provider, QuotaStateValue } from "@/lib/enums";
import { useModels } from "./use-models";

export interface QuotaEntry {
  provider: Provider;
  state: QuotaStateValue;
  resetsAt: string | null;
  note: string | null;
  updatedAt?: string | null;
}

export const quotaKey = "/api/quota";

/** Quota per provider from /api/quota, or from /api/models until that endpoint exists. */
export function useQuota() {
  const { data, error } = useSWR<{ items: QuotaEntry[] }>(quotaKey, { refreshInterval: 60_000 });
  const { backends } = useModels();
  if (data) return { quota: data.items };
  if (!error) return { quota: undefined };
  const fallback = new Map<Provider, QuotaEntry>();
  for (const backend of backends ?? []) {
    if (backend.quota) fallback.set(backend.provider, { provider: backend.provider, ...backend.quota });
  }
  return { quota: [...fallback.values()] };
}

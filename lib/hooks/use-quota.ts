"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import type { Provider } from "@/lib/enums";
import { quotaListSchema, type QuotaState } from "@/lib/schemas/quota";
import { useModels } from "./use-models";

export const quotaKey = "/api/quota";

/** Quota per provider from /api/quota, or from /api/models until that endpoint exists. */
export function useQuota() {
  const { data, error } = useSWR(quotaKey, fetcherFor(quotaListSchema), { refreshInterval: 60_000 });
  const { backends } = useModels();
  if (data) return { quota: data.items };
  if (!error) return { quota: undefined };
  const fallback = new Map<Provider, QuotaState>();
  for (const backend of backends ?? []) {
    if (backend.quota) fallback.set(backend.provider, backend.quota);
  }
  return { quota: [...fallback.values()] };
}

"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { poolListSchema } from "@/lib/schemas/pool";

export const poolsKey = "/api/pools";

/** The pools (GET /api/pools): targets for new tasks, and the names cards show for pool tasks. */
export function usePools() {
  const { data, error, isLoading } = useSWR(poolsKey, fetcherFor(poolListSchema), { refreshInterval: 60_000 });
  return { pools: data?.items, error, isLoading };
}

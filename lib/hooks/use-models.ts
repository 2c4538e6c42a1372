"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { modelsResponseSchema } from "@/lib/schemas/models";

export type { BackendInfo } from "@/lib/schemas/models";

export const modelsKey = "/api/models";

export function useModels() {
  const { data, error, isLoading } = useSWR(modelsKey, fetcherFor(modelsResponseSchema), { refreshInterval: 60_000 });
  return { backends: data?.backends, defaultBackend: data?.defaultBackend, error, isLoading };
}

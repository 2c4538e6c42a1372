"use client";

import useSWR from "swr";
import type { Backend, Provider, QuotaStateValue } from "@/lib/enums";
import type { ModelOption } from "@/lib/models";

export interface BackendInfo {
  backend: Backend;
  label: string;
  provider: Provider;
  available: boolean;
  cliVersion: string | null;
  defaultModel: string;
  models: ModelOption[];
  permissionModes: string[];
  defaultPermissionMode: string;
  quota: { state: QuotaStateValue; resetsAt: string | null; note: string | null } | null;
}

export const modelsKey = "/api/models";

export function useModels() {
  const { data, error, isLoading } = useSWR<{ defaultBackend: Backend; backends: BackendInfo[] }>(modelsKey, { refreshInterval: 60_000 });
  return { backends: data?.backends, defaultBackend: data?.defaultBackend, error, isLoading };
}

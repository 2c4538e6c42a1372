"use client";

import useSWR from "swr";
import type { Backend, CostSource, Provider, QuotaStateValue } from "@/lib/enums";
import type { ModelOption } from "@/lib/models";

export interface BackendInfo {
  backend: Backend;
  label: string;
  provider: Provider;
  providerLabel: string;
  cliName: string;
  /** The environment variable that names the CLI's path. */
  binEnvVar: string;
  available: boolean;
  cliVersion: string | null;
  cliPath: string | null;
  /** The user's default (Settings), else the adapter's. */
  defaultModel: string;
  builtInDefaultModel: string;
  /** Well-known names, offered first. */
  models: ModelOption[];
  /** Whether any other name is normal for this backend (its own endpoints and providers). */
  freeFormModels: boolean;
  permissionModes: string[];
  defaultPermissionMode: string;
  /** Whether the CLI reports cost, or it is estimated from the price table. */
  costSource: CostSource;
  quota: { state: QuotaStateValue; resetsAt: string | null; note: string | null } | null;
}

export const modelsKey = "/api/models";

export function useModels() {
  const { data, error, isLoading } = useSWR<{ defaultBackend: Backend; backends: BackendInfo[] }>(modelsKey, { refreshInterval: 60_000 });
  return { backends: data?.backends, defaultBackend: data?.defaultBackend, error, isLoading };
}

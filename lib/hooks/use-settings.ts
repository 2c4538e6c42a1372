"use client";

import useSWR, { mutate } from "swr";
import { api, apiFetch, isApiError } from "@/lib/api-client";
import type { Backend } from "@/lib/enums";
import { modelsKey } from "./use-models";

export const settingsKey = "/api/settings";
export const healthKey = "/api/health";

export interface SettingsResponse {
  values: Record<string, unknown>;
  keys: { pattern: string; description: string }[];
}

/** Where the local runner found an agent's CLI (server/agents/resolve-cli.ts). */
export type CliSource = "setting" | "env" | "project" | "path";

export interface AgentCapability {
  available: boolean;
  path: string | null;
  source: CliSource | null;
  version: string | null;
}

export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  runner: {
    online: boolean;
    lastHeartbeatAt: string;
    capabilities: { agents: Record<Backend, AgentCapability>; platform: string; node: string } | null;
  } | null;
}

export function useSettings() {
  const { data, error, isLoading, mutate: revalidate } = useSWR<SettingsResponse>(settingsKey);
  return { values: data?.values, error, isLoading, revalidate };
}

export function useHealth() {
  const { data, error, isLoading } = useSWR<HealthReport>(healthKey, { refreshInterval: 60_000 });
  return { health: data, error, isLoading };
}

const settingPath = (key: string) => `/api/settings/${encodeURIComponent(key)}`;

/** Keeps the settings list and what derives from a setting (detected CLIs, model defaults) current. */
async function settingChanged(key: string, value: unknown): Promise<void> {
  await mutate<SettingsResponse>(
    settingsKey,
    (current) => {
      if (!current) return current;
      const values = { ...current.values };
      if (value === undefined) delete values[key];
      else values[key] = value;
      return { ...current, values };
    },
    { revalidate: true },
  );
  // The server re-probes the CLIs when a CLI path changes, before it answers.
  if (key.startsWith("cliPath.")) await Promise.all([mutate(healthKey), mutate(modelsKey)]);
  else if (key.startsWith("defaultModel.") || key === "defaultBackend") await mutate(modelsKey);
}

/** Saves a setting; the server's validation message comes back as an ApiError. */
export async function saveSetting(key: string, value: unknown): Promise<void> {
  const saved = await apiFetch<{ key: string; value: unknown }>(settingPath(key), { method: "PUT", json: { value } });
  await settingChanged(key, saved.value);
}

/** Removes a setting, so its built-in default applies again; one already gone counts as removed. */
export async function clearSetting(key: string): Promise<void> {
  try {
    await api.delete(settingPath(key));
  } catch (error) {
    if (!isApiError(error) || error.status !== 404) throw error;
  }
  await settingChanged(key, undefined);
}

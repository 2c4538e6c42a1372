"use client";

import useSWR, { mutate } from "swr";
import { api, fetcherFor, isApiError } from "@/lib/api-client";
import { healthReportSchema } from "@/lib/schemas/health";
import { settingSavedSchema, settingsResponseSchema, type SettingsResponse } from "@/lib/schemas/settings";
import { modelsKey } from "./use-models";

export const settingsKey = "/api/settings";
export const healthKey = "/api/health";

export type { AgentCapability, CliSource, HealthReport } from "@/lib/schemas/health";

export function useSettings() {
  const { data, error, isLoading, mutate: revalidate } = useSWR(settingsKey, fetcherFor(settingsResponseSchema));
  return { values: data?.values, settings: data, error, isLoading, revalidate };
}

export function useHealth() {
  const { data, error, isLoading } = useSWR(healthKey, fetcherFor(healthReportSchema), { refreshInterval: 60_000 });
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
  const saved = await api.put(settingPath(key), settingSavedSchema, { value });
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

import "server-only";
import { db } from "@/server/db/client";

/** Settings are small JSON values by key: default backend and model, CLI paths. */
export async function getSetting<T>(key: string, fallback: T): Promise<T> {
  const row = await db().setting.findUnique({ where: { key } });
  if (!row) return fallback;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return fallback;
  }
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  await db().setting.upsert({ where: { key }, create: { key, value: json }, update: { value: json } });
}

import "server-only";
import { badRequest, notFound } from "@/lib/errors";
import { isSecretSetting, settingRule } from "@/lib/schemas/settings";
import { db } from "@/server/db/client";
import { parseJson } from "@/server/db/serialize";
import { services } from "@/server/services";
import { setSetting } from "@/server/settings";

/** The user-facing settings with their values; secrets (forge tokens) are never among them. */
export async function listSettings(): Promise<Record<string, unknown>> {
  const rows = await db().setting.findMany({ orderBy: { key: "asc" } });
  return Object.fromEntries(rows.filter((row) => settingRule(row.key) && !isSecretSetting(row.key)).map((row) => [row.key, parseJson<unknown>(row.value, null)]));
}

export async function putSetting(key: string, value: unknown): Promise<{ key: string; value: unknown }> {
  const rule = settingRule(key)!;
  // A write-only secret cannot be read back to compare, so a PUT of null clears it (as DELETE does, without a 404).
  if (value === null && isSecretSetting(key)) {
    await db().setting.deleteMany({ where: { key } });
    return { key, value: null };
  }
  const parsed = rule.value.safeParse(value);
  if (!parsed.success) throw badRequest("validation", `Invalid value for ${key} (${rule.description}): ${parsed.error.issues[0]?.message ?? "rejected"}.`);
  await setSetting(key, parsed.data);
  // CLI paths change what the runner can run.
  if (key.startsWith("cliPath.")) await services().refreshRunner();
  // A secret is write-only: the answer says it was saved, not what it is.
  return { key, value: isSecretSetting(key) ? null : parsed.data };
}

export async function deleteSetting(key: string): Promise<void> {
  const { count } = await db().setting.deleteMany({ where: { key } });
  if (count === 0) throw notFound("setting", key);
  if (key.startsWith("cliPath.")) await services().refreshRunner();
}

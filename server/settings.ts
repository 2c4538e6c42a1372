import "server-only";
import { BACKENDS, type Backend } from "@/lib/enums";
import { effectivePriceTable, type PriceTable } from "@/lib/pricing";
import { isSecretSetting, SETTINGS, settingKeys, type SettingName, type SettingValue } from "@/lib/schemas/settings";
import { getAdapter } from "@/server/agents/registry";
import { db } from "@/server/db/client";
import { directRead } from "@/server/db/log-connection";

/**
 * A setting's stored text, read on the direct connection (server/db/log-connection.ts): a new task
 * reads two or three settings, and each through Prisma cost about 0.4 ms of the server's thread.
 * Writes go through Prisma and are committed when setSetting returns, so a read sees them.
 */
function storedSetting(key: string): { value: string } | undefined {
  return directRead<{ value: string }>(`SELECT "value" FROM "Setting" WHERE "key" = ?`, key)[0];
}

/** Settings are small JSON values by key (the table of keys: lib/schemas/settings.ts). */
export async function getSetting<T>(key: string, fallback: T): Promise<T> {
  const row = storedSetting(key);
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

/** Warned once per key and stored text, so a bad value read on every run does not flood the log. */
const warned = new Set<string>();

/** The stored value when it is valid JSON that matches the setting's schema, else null (with a warning). */
async function readSetting<N extends SettingName>(name: N, key: string): Promise<SettingValue<N> | null> {
  const row = storedSetting(key);
  if (!row) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.value);
  } catch {
    warnInvalid(key, row.value, "not JSON");
    return null;
  }
  const parsed = SETTINGS[name].value.safeParse(json);
  if (parsed.success) return parsed.data as SettingValue<N>;
  warnInvalid(key, row.value, parsed.error.issues[0]?.message ?? "rejected");
  return null;
}

function warnInvalid(key: string, stored: string, reason: string): void {
  const id = `${key}=${stored}`;
  if (warned.has(id)) return;
  warned.add(id);
  const shown = isSecretSetting(key) ? "(a secret, not shown)" : stored.slice(0, 200);
  console.warn(`[settings] ignoring the stored value of ${key} (${reason}): ${shown}; the default applies.`);
}

async function writeSetting<N extends SettingName>(name: N, key: string, value: SettingValue<N>): Promise<void> {
  await setSetting(key, SETTINGS[name].value.parse(value));
}

/**
 * Typed access to every setting: each returns the stored value validated by its schema, or the
 * built-in default (null where the caller decides) when none is stored or the stored one is invalid.
 */
export const settings = {
  /** The agent CLI a user pointed to on this machine; null: look it up (env, project, PATH). */
  cliPath: (backend: Backend) => readSetting("cliPath", settingKeys.cliPath(backend)),
  /** The model of new tasks of a backend. */
  defaultModel: async (backend: Backend): Promise<string> =>
    (await readSetting("defaultModel", settingKeys.defaultModel(backend))) ?? getAdapter(backend).models.default,
  /** The backend preselected for new tasks. */
  defaultBackend: async (): Promise<Backend> => (await readSetting("defaultBackend", settingKeys.defaultBackend())) ?? BACKENDS[0],
  /** The agent CLI on a remote workspace; null: its bare command name on the login PATH. */
  remoteCliPath: (workspaceId: number, backend: Backend) => readSetting("remoteCliPath", settingKeys.remoteCliPath(workspaceId, backend)),
  /** The price table that estimates the cost of CLIs that report none: the user's entries over the built-in list prices. */
  priceTable: async (): Promise<PriceTable> => effectivePriceTable(await readSetting("priceTable", settingKeys.priceTable())),
  /** The SSH host key pinned for `host:port` on first use. */
  hostKey: (hostPort: string) => readSetting("hostKey", settingKeys.hostKey(hostPort)),
  setHostKey: (hostPort: string, value: SettingValue<"hostKey">) => writeSetting("hostKey", settingKeys.hostKey(hostPort), value),
  /** The window utilisation (0..1) at which new tasks are held off an account. */
  quotaHoldThreshold: async (): Promise<number> => (await readSetting("quotaHoldThreshold", settingKeys.quotaHoldThreshold())) ?? 0.9,
  /** The ISO time up to which old run logs were compacted. */
  logCompactedThrough: () => readSetting("logCompactedThrough", settingKeys.logCompactedThrough()),
  setLogCompactedThrough: (iso: string) => writeSetting("logCompactedThrough", settingKeys.logCompactedThrough(), iso),
  /** The forge tokens set on the settings page (secrets: server/forge/config.ts alone reads them). */
  githubToken: () => readSetting("githubToken", settingKeys.githubToken()),
  gitlabToken: () => readSetting("gitlabToken", settingKeys.gitlabToken()),
};

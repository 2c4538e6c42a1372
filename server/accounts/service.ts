import "server-only";
import { conflict, notFound } from "@/lib/errors";
import type { Provider } from "@/lib/enums";
import type { Account, AccountCreate, AccountUpdate } from "@/lib/schemas/account";
import { db } from "@/server/db/client";
import type { Account as AccountRow } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { services } from "@/server/services";

/** The key an account's quota row is stored under (QuotaState.account); "default" is the implicit one. */
export const accountKey = (id: number | null): string => (id === null ? "default" : String(id));

function toAccount(row: AccountRow): Account {
  const env = parseJson<Record<string, string>>(row.env, {});
  return {
    id: row.id,
    provider: row.provider as Provider,
    label: row.label,
    priority: row.priority,
    configDir: row.configDir,
    env,
    missingEnv: Object.values(env).filter((name) => process.env[name] === undefined),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every account, in the order the scheduler tries them: by provider, ascending priority, then id. */
export async function listAccounts(): Promise<Account[]> {
  const rows = await db().account.findMany({ orderBy: [{ provider: "asc" }, { priority: "asc" }, { id: "asc" }] });
  return rows.map(toAccount);
}

export async function getAccount(id: number): Promise<Account> {
  const row = await db().account.findUnique({ where: { id } });
  if (!row) throw notFound("account", id);
  return toAccount(row);
}

export async function createAccount(input: AccountCreate): Promise<Account> {
  const row = await db().account.create({ data: { ...input, env: JSON.stringify(input.env) } });
  services().scheduler.poke("account added");
  return toAccount(row);
}

export async function updateAccount(id: number, input: AccountUpdate): Promise<Account> {
  await getAccount(id);
  const row = await db().account.update({ where: { id }, data: { ...input, env: input.env === undefined ? undefined : JSON.stringify(input.env) } });
  services().scheduler.poke("account changed");
  return toAccount(row);
}

/** Refused while a run uses it; tasks that named it choose again at their next run. */
export async function deleteAccount(id: number): Promise<void> {
  const account = await getAccount(id);
  const running = await db().run.count({ where: { accountId: id, status: "RUNNING" } });
  if (running > 0) throw conflict("account_in_use", `Account ${account.label} has ${running} running run(s); cancel them or wait.`);
  await db().task.updateMany({ where: { accountId: id }, data: { accountId: null } });
  await db().quotaState.deleteMany({ where: { provider: account.provider, account: accountKey(id) } });
  await db().account.delete({ where: { id } });
  services().scheduler.poke("account removed");
}

/** A run's account as its environment needs it (server/runs/agent-env.ts). */
export interface RunAccount {
  id: number;
  label: string;
  configDir: string | null;
  /** The CLI's variable -> the name of the server variable holding its value. */
  env: Record<string, string>;
}

/** A run's account as its environment needs it; null for the implicit default or an account removed since. */
export async function loadRunAccount(id: number | null): Promise<RunAccount | null> {
  if (id === null) return null;
  const row = await db().account.findUnique({ where: { id } });
  return row ? { id: row.id, label: row.label, configDir: row.configDir, env: parseJson<Record<string, string>>(row.env, {}) } : null;
}

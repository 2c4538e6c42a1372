import "server-only";
import { PROVIDERS, type Provider, type QuotaStateValue } from "@/lib/enums";
import type { QuotaState, QuotaWindow } from "@/lib/schemas/quota";
import { accountKey } from "@/server/accounts/service";
import type { QuotaSignal } from "@/server/agents/types";
import { db } from "@/server/db/client";
import type { QuotaState as QuotaRow } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { services } from "@/server/services";
import { settings } from "@/server/settings";
import { holdOf, type Hold } from "./hold";

/** One account the scheduler may give a task, in the order it tries them. */
export interface AccountSlot {
  /** null: the provider's implicit default account (no account configured). */
  id: number | null;
  label: string;
  hold: Hold | null;
}

const windowsOf = (row: QuotaRow | undefined): QuotaWindow[] => parseJson<QuotaWindow[]>(row?.windows ?? "[]", []);

/** The accounts of every provider with their holds: the configured ones by priority, else the implicit default. */
export async function accountSlots(now = new Date()): Promise<Map<Provider, AccountSlot[]>> {
  const [accounts, rows, threshold] = await Promise.all([
    db().account.findMany({ orderBy: [{ priority: "asc" }, { id: "asc" }], select: { id: true, provider: true, label: true } }),
    db().quotaState.findMany(),
    settings.quotaHoldThreshold(),
  ]);
  const rowOf = (provider: string, id: number | null) => rows.find((row) => row.provider === provider && row.account === accountKey(id));
  const hold = (provider: string, id: number | null) => {
    const row = rowOf(provider, id);
    return holdOf(row && { state: row.state, resetsAt: row.resetsAt, windows: windowsOf(row) }, threshold, now);
  };
  const slots = new Map<Provider, AccountSlot[]>();
  for (const provider of PROVIDERS) {
    const own = accounts.filter((account) => account.provider === provider);
    slots.set(provider, own.length > 0 ? own.map((account) => ({ id: account.id, label: account.label, hold: hold(provider, account.id) })) : [{ id: null, label: "default", hold: hold(provider, null) }]);
  }
  return slots;
}

/** GET /api/quota: per provider, each account (or the implicit default) with its state, windows and hold. */
export async function listQuotaStates(now = new Date()): Promise<QuotaState[]> {
  const [slots, rows] = await Promise.all([accountSlots(now), db().quotaState.findMany()]);
  return PROVIDERS.flatMap((provider) =>
    (slots.get(provider) ?? []).map((slot): QuotaState => {
      const row = rows.find((candidate) => candidate.provider === provider && candidate.account === accountKey(slot.id));
      return {
        provider,
        account: accountKey(slot.id),
        accountId: slot.id,
        label: slot.label,
        state: (row?.state ?? "UNKNOWN") as QuotaStateValue,
        resetsAt: row?.resetsAt?.toISOString() ?? null,
        lastEvent: row?.lastEvent ?? null,
        note: row?.note ?? null,
        updatedAt: row?.updatedAt.toISOString() ?? null,
        windows: windowsOf(row),
        held: slot.hold !== null,
        heldUntil: slot.hold?.until.toISOString() ?? null,
      };
    }),
  );
}

async function writeState(provider: Provider, account: string, data: { state?: QuotaStateValue; resetsAt?: Date | null; lastEvent: string; note?: string | null; windows?: string }) {
  const row = await db().quotaState.upsert({
    where: { provider_account: { provider, account } },
    create: { provider, account, ...data },
    update: data,
  });
  services().bus.publishBoard({ type: "quota.changed", provider, state: row.state as QuotaStateValue, resetsAt: row.resetsAt?.toISOString() ?? null });
}

/** A quota or rate-limit answer from the provider, for the account the run used. */
export async function recordQuotaExhausted(provider: Provider, accountId: number | null, signal: QuotaSignal): Promise<void> {
  await writeState(provider, accountKey(accountId), { state: "EXHAUSTED", resetsAt: signal.resetsAt ?? null, lastEvent: "exhausted", note: signal.message.slice(0, 500) });
}

/** A successful run proves the quota is usable. */
export async function recordQuotaOk(provider: Provider, accountId: number | null): Promise<void> {
  const row = await db().quotaState.findUnique({ where: { provider_account: { provider, account: accountKey(accountId) } } });
  if (row?.state === "OK") return;
  await writeState(provider, accountKey(accountId), { state: "OK", resetsAt: null, lastEvent: "run succeeded", note: null });
}

/** The windows a CLI reported (Claude Code's rate_limit_event): the latest per window is kept. */
export async function recordQuotaWindows(provider: Provider, accountId: number | null, windows: QuotaWindow[]): Promise<void> {
  if (windows.length === 0) return;
  const account = accountKey(accountId);
  const row = await db().quotaState.findUnique({ where: { provider_account: { provider, account } } });
  const merged = new Map(windowsOf(row ?? undefined).map((window) => [window.window, window]));
  for (const window of windows) merged.set(window.window, window);
  const json = JSON.stringify([...merged.values()].sort((a, b) => a.window.localeCompare(b.window)));
  if (row?.windows === json) return;
  await writeState(provider, account, { lastEvent: "rate-limit windows", windows: json });
}

/** Exhausted states whose reset time has passed go back to UNKNOWN (the next run tells). */
export async function expireQuotaResets(now = new Date()): Promise<number> {
  const due = await db().quotaState.findMany({ where: { state: "EXHAUSTED", resetsAt: { lte: now } } });
  for (const row of due) {
    await writeState(row.provider as Provider, row.account, { state: "UNKNOWN", resetsAt: null, lastEvent: "reset time passed", note: row.note });
  }
  return due.length;
}

import "server-only";
import { PROVIDERS, type Provider, type QuotaStateValue } from "@/lib/enums";
import type { QuotaState } from "@/lib/schemas/quota";
import type { QuotaSignal } from "@/server/agents/types";
import { db } from "@/server/db/client";
import { services } from "@/server/services";


const ACCOUNT = "default";

export async function listQuotaStates(): Promise<QuotaState[]> {
  const rows = await db().quotaState.findMany();
  return PROVIDERS.map((provider) => {
    const row = rows.find((candidate) => candidate.provider === provider && candidate.account === ACCOUNT);
    return {
      provider,
      account: ACCOUNT,
      state: (row?.state ?? "UNKNOWN") as QuotaStateValue,
      resetsAt: row?.resetsAt?.toISOString() ?? null,
      lastEvent: row?.lastEvent ?? null,
      note: row?.note ?? null,
      updatedAt: row?.updatedAt.toISOString() ?? null,
    };
  });
}

async function setState(provider: Provider, state: QuotaStateValue, fields: { resetsAt: Date | null; lastEvent: string; note: string | null }) {
  const row = await db().quotaState.upsert({
    where: { provider_account: { provider, account: ACCOUNT } },
    create: { provider, account: ACCOUNT, state, ...fields },
    update: { state, ...fields },
  });
  services().bus.publishBoard({ type: "quota.changed", provider, state, resetsAt: row.resetsAt?.toISOString() ?? null });
}

/** A quota or rate-limit answer from the provider. */
export async function recordQuotaExhausted(provider: Provider, signal: QuotaSignal): Promise<void> {
  await setState(provider, "EXHAUSTED", { resetsAt: signal.resetsAt ?? null, lastEvent: "exhausted", note: signal.message.slice(0, 500) });
}

/** A successful run proves the quota is usable. */
export async function recordQuotaOk(provider: Provider): Promise<void> {
  const row = await db().quotaState.findUnique({ where: { provider_account: { provider, account: ACCOUNT } } });
  if (row?.state === "OK") return;
  await setState(provider, "OK", { resetsAt: null, lastEvent: "run succeeded", note: null });
}

/** Exhausted states whose reset time has passed go back to UNKNOWN (the next run tells). */
export async function expireQuotaResets(now = new Date()): Promise<number> {
  const due = await db().quotaState.findMany({ where: { state: "EXHAUSTED", resetsAt: { lte: now } } });
  for (const row of due) {
    await setState(row.provider as Provider, "UNKNOWN", { resetsAt: null, lastEvent: "reset time passed", note: row.note });
  }
  return due.length;
}

/** Providers whose tasks must wait, with the time they may go again (null: unknown). */
export async function blockedProviders(now = new Date()): Promise<Map<Provider, Date | null>> {
  const rows = await db().quotaState.findMany({ where: { state: "EXHAUSTED", account: ACCOUNT } });
  const blocked = new Map<Provider, Date | null>();
  for (const row of rows) {
    if (row.resetsAt && row.resetsAt > now) blocked.set(row.provider as Provider, row.resetsAt);
  }
  return blocked;
}

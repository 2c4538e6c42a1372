"use client";

import useSWR, { mutate } from "swr";
import { api, fetcherFor } from "@/lib/api-client";
import { accountListSchema, accountSchema, type AccountCreate } from "@/lib/schemas/account";

export const accountsKey = "/api/accounts";

/** The provider accounts agents run under (GET /api/accounts). */
export function useAccounts() {
  const { data, error } = useSWR(accountsKey, fetcherFor(accountListSchema));
  return { accounts: data?.items, error };
}

export async function createAccount(input: AccountCreate) {
  const account = await api.post(accountsKey, accountSchema, input);
  await Promise.all([mutate(accountsKey), mutate("/api/quota")]);
  return account;
}

export async function deleteAccount(id: number) {
  await api.delete(`${accountsKey}/${id}`);
  await Promise.all([mutate(accountsKey), mutate("/api/quota")]);
}

import "server-only";
import { effectivePriceTable, priceTableSchema, type PriceTable } from "@/lib/pricing";
import { getSetting } from "@/server/settings";

export const PRICE_TABLE_KEY = "priceTable";

/** The defaults with the user's `priceTable` setting over them; a malformed setting is ignored. */
export async function loadPriceTable(): Promise<PriceTable> {
  const saved = priceTableSchema.safeParse(await getSetting<unknown>(PRICE_TABLE_KEY, null));
  return effectivePriceTable(saved.success ? saved.data : null);
}

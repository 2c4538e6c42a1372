/**
 * Per-model list prices (USD per million tokens) for the CLIs that report no cost (Codex, Gemini
 * CLI, Qwen Code), and the pure estimate. Safe on client and server: the Settings page edits
 * the table (setting `priceTable`, merged over these defaults) and shows the defaults.
 */
import { z } from "zod";
import type { UsageFigures } from "./log-events";

export const modelPriceSchema = z
  .object({
    input: z.number().min(0).max(10_000),
    cachedInput: z.number().min(0).max(10_000),
    output: z.number().min(0).max(10_000),
  })
  .strict();
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** The setting's value: model name (or a prefix of it) to its prices. */
export const priceTableSchema = z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/, "Not a model name."), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

const price = (input: number, cachedInput: number, output: number): ModelPrice => ({ input, cachedInput, output });

/**
 * The providers' published list prices for their well-known models (standard tier, the short-
 * context rate where a price depends on the prompt's length). A key also prices every model
 * name that starts with it (`claude-sonnet-4-5-20250929`); the longest key wins.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  // Anthropic (Claude Code reports its own cost; these price Claude models run through opencode's estimates too).
  "claude-opus-4-8": price(5, 0.5, 25),
  "claude-opus-4-7": price(5, 0.5, 25),
  "claude-opus-4-5": price(5, 0.5, 25),
  "claude-opus-4-1": price(15, 1.5, 75),
  "claude-sonnet-4-6": price(3, 0.3, 15),
  "claude-sonnet-4-5": price(3, 0.3, 15),
  "claude-haiku-4-5": price(1, 0.1, 5),
  opus: price(5, 0.5, 25),
  sonnet: price(3, 0.3, 15),
  haiku: price(1, 0.1, 5),
  // OpenAI
  "gpt-5.5": price(1.75, 0.175, 14),
  "gpt-5.4": price(1.75, 0.175, 14),
  "gpt-5.3-codex": price(1.75, 0.175, 14),
  "gpt-5.2": price(1.75, 0.175, 14),
  "gpt-5.1": price(1.25, 0.125, 10),
  "gpt-5": price(1.25, 0.125, 10),
  "gpt-5-mini": price(0.25, 0.025, 2),
  "gpt-4.1": price(2, 0.5, 8),
  o3: price(2, 0.5, 8),
  // Google
  "gemini-3-pro": price(2, 0.2, 12),
  "gemini-2.5-pro": price(1.25, 0.125, 10),
  "gemini-2.5-flash": price(0.3, 0.03, 2.5),
  "gemini-2.5-flash-lite": price(0.1, 0.01, 0.4),
  // Qwen (Alibaba Cloud Model Studio, international)
  "qwen3-coder-plus": price(1, 0.1, 5),
  "qwen3-coder-flash": price(0.3, 0.03, 1.5),
  "qwen3-max": price(1.2, 0.24, 6),
  "qwen3-coder-480b-a35b-instruct": price(1.5, 0.15, 7.5),
};

/** The prices for `model`: an exact key, else the longest key it starts with; a `provider/` prefix is ignored. */
export function findPrice(model: string, table: PriceTable): ModelPrice | undefined {
  const names = [model, model.includes("/") ? model.slice(model.lastIndexOf("/") + 1) : null].filter((name): name is string => Boolean(name));
  for (const name of names) {
    if (table[name]) return table[name];
    const prefix = Object.keys(table)
      .filter((key) => name.startsWith(key))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix) return table[prefix];
  }
  return undefined;
}

/** USD for the tokens: uncached input, cached input (cache reads), cache writes at the input price, output. */
export function estimateCost(usage: Omit<UsageFigures, "costUsd">, prices: ModelPrice): number {
  const dollars = (usage.inputTokens + usage.cacheWriteTokens) * prices.input + usage.cacheReadTokens * prices.cachedInput + usage.outputTokens * prices.output;
  return dollars / 1e6;
}

/** The user's table (the `priceTable` setting) over the defaults: their entries win, new names are added. */
export function effectivePriceTable(userTable: PriceTable | null | undefined): PriceTable {
  return { ...DEFAULT_PRICE_TABLE, ...(userTable ?? {}) };
}

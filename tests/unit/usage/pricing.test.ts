import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_TABLE, effectivePriceTable, estimateCost, findPrice, priceTableSchema } from "@/lib/pricing";
import { settingRule } from "@/lib/schemas/settings";
import { withCost } from "@/server/usage/pricing";

const usage = { inputTokens: 1600, outputTokens: 60, cacheReadTokens: 400, cacheWriteTokens: 0, costUsd: 0 };

describe("findPrice", () => {
  it("takes an exact name, else the longest key the name starts with, ignoring a provider/ prefix", () => {
    expect(findPrice("gemini-2.5-flash", DEFAULT_PRICE_TABLE)).toEqual({ input: 0.3, cachedInput: 0.03, output: 2.5 });
    expect(findPrice("gemini-2.5-flash-lite-preview-09", DEFAULT_PRICE_TABLE)).toEqual(DEFAULT_PRICE_TABLE["gemini-2.5-flash-lite"]);
    expect(findPrice("claude-sonnet-4-5-20250929", DEFAULT_PRICE_TABLE)).toEqual(DEFAULT_PRICE_TABLE["claude-sonnet-4-5"]);
    expect(findPrice("openai/gpt-5.5", DEFAULT_PRICE_TABLE)).toEqual(DEFAULT_PRICE_TABLE["gpt-5.5"]);
    expect(findPrice("fake-model", DEFAULT_PRICE_TABLE)).toBeUndefined();
  });
});

describe("estimateCost", () => {
  it("prices uncached input, cached input and output per million tokens", () => {
    // 1600 x 0.30 + 400 x 0.03 + 60 x 2.50 = 480 + 12 + 150 = 642 micro-dollars
    expect(estimateCost(usage, { input: 0.3, cachedInput: 0.03, output: 2.5 })).toBeCloseTo(0.000642, 12);
  });

  it("prices cache writes at the input price", () => {
    expect(estimateCost({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 1_000_000 }, { input: 3, cachedInput: 0.3, output: 15 })).toBe(3);
  });
});

describe("withCost", () => {
  it("estimates for CLIs that report no cost (Codex, Gemini CLI, Qwen Code)", () => {
    expect(withCost(usage, "gemini-2.5-flash", "gemini_cli", DEFAULT_PRICE_TABLE)).toEqual({ usage: { ...usage, costUsd: expect.closeTo(0.000642, 12) }, costSource: "estimated" });
    expect(withCost(usage, "gpt-5.5", "codex_cli", DEFAULT_PRICE_TABLE).costSource).toBe("estimated");
    expect(withCost(usage, "qwen3-coder-plus", "qwen_code", DEFAULT_PRICE_TABLE).usage.costUsd).toBeCloseTo((1600 * 1 + 400 * 0.1 + 60 * 5) / 1e6, 12);
  });

  it("keeps the cost Claude Code and opencode report", () => {
    const reported = { ...usage, costUsd: 0.0123 };
    expect(withCost(reported, "sonnet", "claude_code", DEFAULT_PRICE_TABLE)).toEqual({ usage: reported, costSource: "reported" });
    expect(withCost(reported, "fake/fake-model", "opencode", DEFAULT_PRICE_TABLE)).toEqual({ usage: reported, costSource: "reported" });
  });

  it("has no source for an unpriced model, until the user prices it in the table", () => {
    expect(withCost(usage, "fake-model", "qwen_code", DEFAULT_PRICE_TABLE)).toEqual({ usage, costSource: null });
    const table = effectivePriceTable({ "fake-model": { input: 1, cachedInput: 0.5, output: 2 } });
    expect(withCost(usage, "fake-model", "qwen_code", table)).toEqual({ usage: { ...usage, costUsd: expect.closeTo((1600 + 200 + 120) / 1e6, 12) }, costSource: "estimated" });
  });
});

describe("the priceTable setting", () => {
  it("overrides and adds to the defaults", () => {
    const table = effectivePriceTable({ "gemini-2.5-flash": { input: 9, cachedInput: 9, output: 9 } });
    expect(table["gemini-2.5-flash"]).toEqual({ input: 9, cachedInput: 9, output: 9 });
    expect(table["gemini-2.5-pro"]).toEqual(DEFAULT_PRICE_TABLE["gemini-2.5-pro"]);
  });

  it("is a setting that accepts only well-formed prices", () => {
    const rule = settingRule("priceTable")!;
    expect(rule.value.safeParse({ "my-model": { input: 1, cachedInput: 0.1, output: 2 } }).success).toBe(true);
    expect(rule.value.safeParse({ "my-model": { input: -1, cachedInput: 0.1, output: 2 } }).success).toBe(false);
    expect(rule.value.safeParse({ "my-model": { input: 1, output: 2 } }).success).toBe(false);
    expect(rule.value.safeParse({ "bad name": { input: 1, cachedInput: 0.1, output: 2 } }).success).toBe(false);
    expect(priceTableSchema.safeParse(DEFAULT_PRICE_TABLE).success).toBe(true);
  });
});

/**
 * A run's cost and where it comes from. Pure: the caller passes the price table (see
 * `settings.priceTable()` in server/settings.ts). The run supervisor records `withCost(...)` on the run.
 */
import type { Backend, CostSource } from "@/lib/enums";
import type { UsageFigures } from "@/lib/log-events";
import { estimateCost, findPrice, type PriceTable } from "@/lib/pricing";
import { ADAPTERS } from "@/server/agents/registry";

export interface CostedUsage {
  usage: UsageFigures;
  /** `reported` by the CLI, `estimated` from the price table, null when neither is known (an unpriced model). */
  costSource: CostSource | null;
}

/**
 * The run's usage with its cost: the CLI's own figure for agents that report one (Claude Code,
 * opencode), else an estimate from the model's prices. An unpriced model keeps cost 0 with no source.
 */
export function withCost(usage: UsageFigures, model: string, backend: Backend, table: PriceTable): CostedUsage {
  if (ADAPTERS[backend].reportsCost) return { usage, costSource: "reported" };
  const prices = findPrice(model, table);
  if (!prices) return { usage: { ...usage, costUsd: 0 }, costSource: null };
  return { usage: { ...usage, costUsd: estimateCost(usage, prices) }, costSource: "estimated" };
}

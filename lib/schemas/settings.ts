import { z } from "zod";
import { BACKENDS } from "../enums";
import { MODEL_NAME_PATTERN } from "../models";
import { priceTableSchema } from "../pricing";
import { absolutePathSchema } from "./common";

const backendPattern = BACKENDS.join("|");

/**
 * The settings a user may change, by key pattern, each with the schema of its value. Keys the
 * server keeps for itself (log compaction's progress) are not among them.
 */
export const SETTING_RULES: { pattern: RegExp; value: z.ZodType; description: string }[] = [
  { pattern: new RegExp(`^cliPath\\.(${backendPattern})$`), value: absolutePathSchema, description: "path of the agent CLI on this machine" },
  { pattern: new RegExp(`^defaultModel\\.(${backendPattern})$`), value: z.string().regex(MODEL_NAME_PATTERN), description: "model of new tasks" },
  { pattern: /^defaultBackend$/, value: z.enum(BACKENDS), description: "backend preselected for new tasks" },
  {
    pattern: new RegExp(`^remoteCliPath\\.\\d+\\.(${backendPattern})$`),
    value: z.string().regex(/^[A-Za-z0-9_./~+-]+$/, "A path or command name without spaces or shell characters."),
    description: "the agent CLI on a remote workspace (remoteCliPath.<workspaceId>.<backend>)",
  },
  {
    pattern: /^priceTable$/,
    value: priceTableSchema,
    description: "USD per million tokens (input, cachedInput, output) by model, over the built-in list prices: estimates the cost of CLIs that report none",
  },
  { pattern: /^hostKey\.[A-Za-z0-9.:[\]-]+$/, value: z.never(), description: "a pinned SSH host key; delete it to trust a changed key" },
];

export function settingRule(key: string) {
  return SETTING_RULES.find((rule) => rule.pattern.test(key));
}

export const settingKeySchema = z.string().max(300).refine((key) => settingRule(key) !== undefined, "Not a setting that can be changed.");
export const settingValueBodySchema = z.object({ value: z.unknown() }).strict();

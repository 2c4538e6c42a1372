import { z } from "zod";
import { PROVIDERS, QUOTA_STATES } from "../enums";
import { listSchema } from "./common";

/** A provider's quota as the server last saw it. */
export const quotaStateSchema = z.object({
  provider: z.enum(PROVIDERS),
  account: z.string(),
  state: z.enum(QUOTA_STATES),
  resetsAt: z.string().nullable(),
  lastEvent: z.string().nullable(),
  note: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type QuotaState = z.infer<typeof quotaStateSchema>;

/** GET /api/quota */
export const quotaListSchema = listSchema(quotaStateSchema);

import { z } from "zod";
import { PROVIDERS, QUOTA_STATES } from "../enums";
import { listSchema } from "./common";

export const QUOTA_WINDOWS = ["5h", "7d"] as const;
export type QuotaWindowName = (typeof QUOTA_WINDOWS)[number];

/** A rate-limit window as the CLI last reported it: utilisation 0..1 and when it resets. */
export const quotaWindowSchema = z.object({
  window: z.enum(QUOTA_WINDOWS),
  utilization: z.number().min(0),
  resetsAt: z.string().nullable(),
});
export type QuotaWindow = z.infer<typeof quotaWindowSchema>;

/** A provider account's quota as the server last saw it (one per account; "default" when none is configured). */
export const quotaStateSchema = z.object({
  provider: z.enum(PROVIDERS),
  /** "default" for the provider's implicit account, else the account's id as a string. */
  account: z.string(),
  /** The configured account, null for the implicit default. */
  accountId: z.number().int().nullable(),
  label: z.string(),
  state: z.enum(QUOTA_STATES),
  resetsAt: z.string().nullable(),
  lastEvent: z.string().nullable(),
  note: z.string().nullable(),
  updatedAt: z.string().nullable(),
  windows: z.array(quotaWindowSchema),
  /** Whether the scheduler holds new tasks off this account now (exhausted, or a window above the threshold), and until when. */
  held: z.boolean(),
  heldUntil: z.string().nullable(),
});
export type QuotaState = z.infer<typeof quotaStateSchema>;

/** GET /api/quota */
export const quotaListSchema = listSchema(quotaStateSchema);

import { z } from "zod";
import { BACKENDS, PROVIDERS } from "../enums";
import { quotaStateSchema } from "./quota";

export const modelOptionSchema = z.object({
  /** What is passed to the CLI's model flag. */
  id: z.string(),
  label: z.string(),
  /** A CLI alias that follows the newest model of a family. */
  alias: z.boolean().optional(),
});
export type ModelOption = z.infer<typeof modelOptionSchema>;

export const backendInfoSchema = z.object({
  backend: z.enum(BACKENDS),
  label: z.string(),
  provider: z.enum(PROVIDERS),
  available: z.boolean(),
  cliVersion: z.string().nullable(),
  defaultModel: z.string(),
  models: z.array(modelOptionSchema),
  permissionModes: z.array(z.string()),
  defaultPermissionMode: z.string(),
  quota: quotaStateSchema.nullable(),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

/** GET /api/models: the selectable models per backend, with the CLI's availability and quota. */
export const modelsResponseSchema = z.object({
  defaultBackend: z.enum(BACKENDS),
  backends: z.array(backendInfoSchema),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

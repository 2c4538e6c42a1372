import { z } from "zod";
import { BACKENDS, COST_SOURCES, PROVIDERS } from "../enums";
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
  providerLabel: z.string(),
  /** The CLI's command name. */
  cliName: z.string(),
  /** The environment variable that names the CLI's path. */
  binEnvVar: z.string(),
  available: z.boolean(),
  cliVersion: z.string().nullable(),
  cliPath: z.string().nullable(),
  /** The user's default (Settings), else the adapter's. */
  defaultModel: z.string(),
  builtInDefaultModel: z.string(),
  /** Well-known names, offered first. */
  models: z.array(modelOptionSchema),
  /** Whether any other name is normal for this backend (its own endpoints and providers). */
  freeFormModels: z.boolean(),
  permissionModes: z.array(z.string()),
  defaultPermissionMode: z.string(),
  /** Whether the CLI reports cost, or it is estimated from the price table. */
  costSource: z.enum(COST_SOURCES),
  quota: quotaStateSchema.nullable(),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

/** GET /api/models: the selectable models per backend, with the CLI's availability and quota. */
export const modelsResponseSchema = z.object({
  defaultBackend: z.enum(BACKENDS),
  backends: z.array(backendInfoSchema),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

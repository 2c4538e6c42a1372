import { z } from "zod";
import { PROVIDERS } from "../enums";
import { listSchema } from "./common";

/** A name a shell can export: the CLI's variable and the server variable holding its value. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().max(128).regex(ENV_NAME_PATTERN, "Not an environment variable name.");

/** The config home (CLAUDE_CONFIG_DIR, CODEX_HOME) on the host the agent runs on: an absolute path. */
const configDirSchema = z
  .string()
  .max(1024)
  .regex(/^\/[^\0\n\r]*$/, "An absolute path.")
  .nullable();

/**
 * `env` maps the CLI's variable to the NAME of a server environment variable that holds the
 * secret (`{"CLAUDE_CODE_OAUTH_TOKEN": "WORK_CLAUDE_TOKEN"}`); the secret itself is never stored.
 */
const envMapSchema = z.record(envName, envName).refine((map) => Object.keys(map).length <= 20, "At most 20 variables.");

export const accountCreateSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    label: z.string().trim().min(1).max(100),
    priority: z.number().int().min(-1000).max(1000).default(0),
    configDir: configDirSchema.default(null),
    env: envMapSchema.default({}),
  })
  .strict();
export type AccountCreate = z.infer<typeof accountCreateSchema>;

export const accountUpdateSchema = z
  .object({
    label: z.string().trim().min(1).max(100),
    priority: z.number().int().min(-1000).max(1000),
    configDir: configDirSchema,
    env: envMapSchema,
  })
  .partial()
  .strict();
export type AccountUpdate = z.infer<typeof accountUpdateSchema>;

export const accountSchema = z.object({
  id: z.number().int(),
  provider: z.enum(PROVIDERS),
  label: z.string(),
  priority: z.number().int(),
  configDir: z.string().nullable(),
  env: z.record(z.string(), z.string()),
  /** The `env` names that the server's environment does not hold now (the run would lack them). */
  missingEnv: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof accountSchema>;

/** GET /api/accounts */
export const accountListSchema = listSchema(accountSchema);

import { z } from "zod";
import { BACKENDS } from "../enums";
import { MODEL_NAME_PATTERN } from "../models";
import { priceTableSchema } from "../pricing";
import { absolutePathSchema } from "./common";

const backendPattern = BACKENDS.join("|");

export const pinnedHostKeySchema = z.object({
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  fingerprint: z.string(),
  /** The key type from the key blob, e.g. `ssh-ed25519`. */
  keyType: z.string(),
  /** Base64 of the key blob. */
  key: z.string(),
  pinnedAt: z.string(),
});

/** A forge's API token: printable ASCII without spaces (it travels in one HTTP header). */
const forgeTokenSchema = z.string().min(1, "Give the token.").max(1000, "At most 1000 characters.").regex(/^[\x21-\x7e]+$/, "A token is printable ASCII without spaces.");

/**
 * Every setting the server stores, by key pattern, with the schema of its value. `user` says
 * whether the settings API lets a user set it (PUT); `deletable` ones can be removed through it.
 * A `secret` one is write-only: its value is never in an API answer, a log line or an error.
 * The server reads them only through the typed accessors of server/settings.ts.
 */
export const SETTINGS = {
  cliPath: {
    pattern: new RegExp(`^cliPath\\.(${backendPattern})$`),
    value: absolutePathSchema,
    user: true,
    description: "path of the agent CLI on this machine",
  },
  defaultModel: {
    pattern: new RegExp(`^defaultModel\\.(${backendPattern})$`),
    value: z.string().regex(MODEL_NAME_PATTERN),
    user: true,
    description: "model of new tasks",
  },
  defaultBackend: { pattern: /^defaultBackend$/, value: z.enum(BACKENDS), user: true, description: "backend preselected for new tasks" },
  remoteCliPath: {
    pattern: new RegExp(`^remoteCliPath\\.\\d+\\.(${backendPattern})$`),
    value: z.string().regex(/^[A-Za-z0-9_./~+-]+$/, "A path or command name without spaces or shell characters."),
    user: true,
    description: "the agent CLI on a remote workspace (remoteCliPath.<workspaceId>.<backend>)",
  },
  priceTable: {
    pattern: /^priceTable$/,
    value: priceTableSchema,
    user: true,
    description: "USD per million tokens (input, cachedInput, output) by model, over the built-in list prices: estimates the cost of CLIs that report none",
  },
  hostKey: {
    pattern: /^hostKey\.[A-Za-z0-9.:[\]-]+$/,
    value: pinnedHostKeySchema,
    user: false,
    deletable: true,
    description: "a pinned SSH host key; delete it to trust a changed key",
  },
  quotaHoldThreshold: {
    pattern: /^quotaHoldThreshold$/,
    value: z.number().gt(0).max(1),
    user: true,
    description: "utilisation (0..1, default 0.9) of a rate-limit window at which new tasks are held off that account until the window resets",
  },
  githubToken: {
    pattern: /^githubToken$/,
    value: forgeTokenSchema,
    user: true,
    secret: true,
    description: "GitHub token for pull requests (write-only: GET /api/settings says only whether one is set; it wins over GITHUB_TOKEN)",
  },
  gitlabToken: {
    pattern: /^gitlabToken$/,
    value: forgeTokenSchema,
    user: true,
    secret: true,
    description: "GitLab token for merge requests (write-only: GET /api/settings says only whether one is set; it wins over GITLAB_TOKEN)",
  },
  logCompactedThrough: {
    pattern: /^logCompaction\.compactedThrough$/,
    value: z.iso.datetime(),
    user: false,
    deletable: false,
    description: "how far old run logs were compacted",
  },
} as const satisfies Record<string, { pattern: RegExp; value: z.ZodType; user: boolean; deletable?: boolean; secret?: boolean; description: string }>;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = z.infer<(typeof SETTINGS)[N]["value"]>;

/** The key each setting is stored under. */
export const settingKeys = {
  cliPath: (backend: (typeof BACKENDS)[number]) => `cliPath.${backend}`,
  defaultModel: (backend: (typeof BACKENDS)[number]) => `defaultModel.${backend}`,
  defaultBackend: () => "defaultBackend",
  remoteCliPath: (workspaceId: number, backend: (typeof BACKENDS)[number]) => `remoteCliPath.${workspaceId}.${backend}`,
  priceTable: () => "priceTable",
  hostKey: (hostPort: string) => `hostKey.${hostPort}`,
  logCompactedThrough: () => "logCompaction.compactedThrough",
  quotaHoldThreshold: () => "quotaHoldThreshold",
  githubToken: () => "githubToken",
  gitlabToken: () => "gitlabToken",
} satisfies Record<SettingName, (...args: never[]) => string>;

/**
 * The settings a user may change or remove through the API, each with the schema a PUT must
 * satisfy (z.never(): it can only be deleted). Keys the server keeps for itself are not among them.
 */
export const SETTING_RULES: { pattern: RegExp; value: z.ZodType; secret: boolean; description: string }[] = Object.values(SETTINGS)
  .filter((setting) => setting.user || ("deletable" in setting && setting.deletable))
  .map((setting) => ({ pattern: setting.pattern, value: setting.user ? setting.value : z.never(), secret: "secret" in setting && setting.secret, description: setting.description }));

/** Whether a stored key holds a secret (never shown, logged or echoed). */
export function isSecretSetting(key: string): boolean {
  return Object.values(SETTINGS).some((setting) => "secret" in setting && setting.secret && setting.pattern.test(key));
}

export function settingRule(key: string) {
  return SETTING_RULES.find((rule) => rule.pattern.test(key));
}

export const settingKeySchema = z.string().max(300).refine((key) => settingRule(key) !== undefined, "Not a setting that can be changed.");
export const settingValueBodySchema = z.object({ value: z.unknown() }).strict();

/** Where a forge token in use comes from: the settings (which win) or the server's environment. */
export const FORGE_TOKEN_SOURCES = ["settings", "environment"] as const;
export type ForgeTokenSource = (typeof FORGE_TOKEN_SOURCES)[number];

/**
 * GET /api/settings: the stored values of user-facing settings (secrets left out), the keys there
 * are, and for each forge token only whether one is set and where it comes from.
 */
export const settingsResponseSchema = z.object({
  values: z.record(z.string(), z.unknown()),
  keys: z.array(z.object({ pattern: z.string(), description: z.string() })),
  githubTokenSet: z.boolean(),
  githubTokenSource: z.enum(FORGE_TOKEN_SOURCES).nullable(),
  gitlabTokenSet: z.boolean(),
  gitlabTokenSource: z.enum(FORGE_TOKEN_SOURCES).nullable(),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

/** PUT /api/settings/:key: the value as stored; null for a secret, whose value is never sent back. */
export const settingSavedSchema = z.object({ key: z.string(), value: z.unknown() });

import { z } from "zod";
import { BACKENDS, LOGIN_SHELLS, UPDATE_STRATEGIES, WORKSPACE_TYPES } from "../enums";
import { MODEL_NAME_PATTERN } from "../models";
import { absolutePathSchema, branchNameSchema, listSchema } from "./common";

const hostSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9._:[\]-]+$/, "Not a valid host name or address.");
const userSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9._-]*$/, "Not a valid user name.");
const containerSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Not a valid container name.");

/** A setup script or check command: empty text means none. */
const scriptSchema = z
  .string()
  .max(20_000)
  .refine((value) => !value.includes("\0"), "Must not contain NUL.")
  .transform((value) => (value.trim() ? value : null));

const workspaceFields = {
  name: z.string().trim().min(1).max(100),
  path: absolutePathSchema,
  host: hostSchema.nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  user: userSchema.nullish(),
  identityFile: absolutePathSchema.nullish(),
  containerName: containerSchema.nullish(),
  loginShell: z.enum(LOGIN_SHELLS),
  concurrencyLimit: z.number().int().min(1).max(64),
  gpuIndices: z.array(z.number().int().min(0).max(63)).max(64),
  /** No agent starts while the host's available memory is below this many MB (0: no check). */
  minFreeMemoryMb: z.number().int().min(0).max(16 * 1024 * 1024),
  baseBranch: branchNameSchema.nullish(),
  notes: z.string().max(20_000),
  worktreeRoot: absolutePathSchema.nullish(),
  taskTimeoutSec: z.number().int().min(5).max(7 * 24 * 3600),
  /** Its tasks' agents get the MCP server, to queue subtasks on this workspace. */
  agentMcp: z.boolean(),
  /** Subtasks one task's agent may create (agentMcp). */
  maxSubtasks: z.number().int().min(0).max(100),
  /** Shell text run in the workspace's login shell: in each new worktree once, and after every work run. */
  setupScript: scriptSchema.nullish(),
  setupTimeoutSec: z.number().int().min(5).max(24 * 3600),
  checkCommand: scriptSchema.nullish(),
  checkTimeoutSec: z.number().int().min(5).max(24 * 3600),
  fixRounds: z.number().int().min(0).max(5),
  reviewBackend: z.enum(BACKENDS).nullish(),
  reviewModel: z.string().trim().regex(MODEL_NAME_PATTERN, "Not a valid model name.").nullish(),
  reviewRounds: z.number().int().min(1).max(5),
  /** Tasks whose checks passed and whose review approved join the merge queue when DONE. */
  autoMerge: z.boolean(),
  /** A conflict in the merge queue goes back to the task's agent (a `resolve` run). */
  autoResolve: z.boolean(),
  updateStrategy: z.enum(UPDATE_STRATEGIES),
  /** The remote that push and pull requests use. */
  gitRemote: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Not a valid remote name."),
};

function requireRemoteFields(
  value: { type?: (typeof WORKSPACE_TYPES)[number]; host?: string | null; containerName?: string | null },
  ctx: z.RefinementCtx,
) {
  if ((value.type === "ssh" || value.type === "ssh_container") && !value.host) {
    ctx.addIssue({ code: "custom", path: ["host"], message: `A ${value.type} workspace needs a host.` });
  }
  if (value.type === "ssh_container" && !value.containerName) {
    ctx.addIssue({ code: "custom", path: ["containerName"], message: "An ssh_container workspace needs a container name." });
  }
}

export const workspaceCreateSchema = z
  .object({
    ...workspaceFields,
    type: z.enum(WORKSPACE_TYPES).default("local"),
    loginShell: workspaceFields.loginShell.default("bash"),
    concurrencyLimit: workspaceFields.concurrencyLimit.default(2),
    gpuIndices: workspaceFields.gpuIndices.default([]),
    minFreeMemoryMb: workspaceFields.minFreeMemoryMb.default(2048),
    notes: workspaceFields.notes.default(""),
    taskTimeoutSec: workspaceFields.taskTimeoutSec.default(7200),
    agentMcp: workspaceFields.agentMcp.default(false),
    maxSubtasks: workspaceFields.maxSubtasks.default(10),
    setupTimeoutSec: workspaceFields.setupTimeoutSec.default(900),
    checkTimeoutSec: workspaceFields.checkTimeoutSec.default(900),
    fixRounds: workspaceFields.fixRounds.default(2),
    reviewRounds: workspaceFields.reviewRounds.default(2),
    autoMerge: workspaceFields.autoMerge.default(false),
    autoResolve: workspaceFields.autoResolve.default(true),
    updateStrategy: workspaceFields.updateStrategy.default("rebase"),
    gitRemote: workspaceFields.gitRemote.default("origin"),
  })
  .strict()
  .superRefine(requireRemoteFields);
export type WorkspaceCreateInput = z.infer<typeof workspaceCreateSchema>;

/** The type of a workspace is fixed at creation; everything else can change. */
export const workspaceUpdateSchema = z.object(workspaceFields).partial().strict();
export type WorkspaceUpdateInput = z.infer<typeof workspaceUpdateSchema>;

export const workspaceSchema = z.object({
  id: z.number(),
  name: z.string(),
  type: z.enum(WORKSPACE_TYPES),
  path: z.string(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  user: z.string().nullable(),
  identityFile: z.string().nullable(),
  containerName: z.string().nullable(),
  loginShell: z.enum(LOGIN_SHELLS),
  concurrencyLimit: z.number(),
  gpuIndices: z.array(z.number()),
  minFreeMemoryMb: z.number(),
  baseBranch: z.string(),
  notes: z.string(),
  worktreeRoot: z.string().nullable(),
  taskTimeoutSec: z.number(),
  agentMcp: z.boolean(),
  maxSubtasks: z.number(),
  setupScript: z.string().nullable(),
  setupTimeoutSec: z.number(),
  checkCommand: z.string().nullable(),
  checkTimeoutSec: z.number(),
  fixRounds: z.number(),
  reviewBackend: z.enum(BACKENDS).nullable(),
  reviewModel: z.string().nullable(),
  reviewRounds: z.number(),
  autoMerge: z.boolean(),
  autoResolve: z.boolean(),
  updateStrategy: z.enum(UPDATE_STRATEGIES),
  gitRemote: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  taskCounts: z.record(z.string(), z.number()).optional(),
});
export type WorkspaceDto = z.infer<typeof workspaceSchema>;

/** GET /api/workspaces */
export const workspaceListSchema = listSchema(workspaceSchema);

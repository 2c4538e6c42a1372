import { z } from "zod";
import { BACKENDS, LOGIN_SHELLS, UPDATE_STRATEGIES, WORKSPACE_TYPES, type Backend, type LoginShell, type UpdateStrategy, type WorkspaceType } from "@/lib/enums";
import { workspaceCreateSchema, workspaceUpdateSchema, type WorkspaceDto } from "@/lib/schemas/workspace";

/** The form's values, as typed: every field a string until submitted. */
export interface WorkspaceFormValues {
  name: string;
  type: WorkspaceType;
  path: string;
  host: string;
  port: string;
  user: string;
  identityFile: string;
  containerName: string;
  loginShell: LoginShell;
  concurrencyLimit: string;
  gpuIndices: string;
  baseBranch: string;
  worktreeRoot: string;
  timeoutMinutes: string;
  notes: string;
  agentMcp: boolean;
  maxSubtasks: string;
  minFreeMemoryMb: string;
  setupScript: string;
  setupTimeoutMinutes: string;
  checkCommand: string;
  checkTimeoutMinutes: string;
  fixRounds: string;
  /** "" for no review. */
  reviewBackend: Backend | "";
  reviewModel: string;
  reviewRounds: string;
  autoMerge: boolean;
  autoResolve: boolean;
  updateStrategy: UpdateStrategy;
  gitRemote: string;
}

export const EMPTY_WORKSPACE_FORM: WorkspaceFormValues = {
  name: "",
  type: "local",
  path: "",
  host: "",
  port: "22",
  user: "",
  identityFile: "",
  containerName: "",
  loginShell: "bash",
  concurrencyLimit: "2",
  gpuIndices: "",
  baseBranch: "",
  worktreeRoot: "",
  timeoutMinutes: "120",
  notes: "",
  agentMcp: false,
  maxSubtasks: "10",
  minFreeMemoryMb: "2048",
  setupScript: "",
  setupTimeoutMinutes: "15",
  checkCommand: "",
  checkTimeoutMinutes: "15",
  fixRounds: "2",
  reviewBackend: "",
  reviewModel: "",
  reviewRounds: "2",
  autoMerge: false,
  autoResolve: true,
  updateStrategy: "rebase",
  gitRemote: "origin",
};

export function formFromWorkspace(workspace: WorkspaceDto): WorkspaceFormValues {
  return {
    name: workspace.name,
    type: workspace.type,
    path: workspace.path,
    host: workspace.host ?? "",
    port: String(workspace.port ?? 22),
    user: workspace.user ?? "",
    identityFile: workspace.identityFile ?? "",
    containerName: workspace.containerName ?? "",
    loginShell: workspace.loginShell,
    concurrencyLimit: String(workspace.concurrencyLimit),
    gpuIndices: workspace.gpuIndices.join(", "),
    baseBranch: workspace.baseBranch,
    worktreeRoot: workspace.worktreeRoot ?? "",
    timeoutMinutes: String(Math.round(workspace.taskTimeoutSec / 60)),
    notes: workspace.notes,
    agentMcp: workspace.agentMcp,
    maxSubtasks: String(workspace.maxSubtasks),
    minFreeMemoryMb: String(workspace.minFreeMemoryMb),
    setupScript: workspace.setupScript ?? "",
    setupTimeoutMinutes: String(Math.max(1, Math.round(workspace.setupTimeoutSec / 60))),
    checkCommand: workspace.checkCommand ?? "",
    checkTimeoutMinutes: String(Math.max(1, Math.round(workspace.checkTimeoutSec / 60))),
    fixRounds: String(workspace.fixRounds),
    reviewBackend: workspace.reviewBackend ?? "",
    reviewModel: workspace.reviewModel ?? "",
    reviewRounds: String(workspace.reviewRounds),
    autoMerge: workspace.autoMerge,
    autoResolve: workspace.autoResolve,
    updateStrategy: workspace.updateStrategy,
    gitRemote: workspace.gitRemote,
  };
}

const formFieldsSchema = z.object({
  name: z.string(),
  type: z.enum(WORKSPACE_TYPES),
  path: z.string(),
  host: z.string(),
  port: z.string(),
  user: z.string(),
  identityFile: z.string(),
  containerName: z.string(),
  loginShell: z.enum(LOGIN_SHELLS),
  concurrencyLimit: z.string(),
  gpuIndices: z.string(),
  baseBranch: z.string(),
  worktreeRoot: z.string(),
  timeoutMinutes: z.string(),
  notes: z.string(),
  agentMcp: z.boolean(),
  maxSubtasks: z.string(),
  minFreeMemoryMb: z.string(),
  setupScript: z.string(),
  setupTimeoutMinutes: z.string(),
  checkCommand: z.string(),
  checkTimeoutMinutes: z.string(),
  fixRounds: z.string(),
  reviewBackend: z.enum(["", ...BACKENDS]),
  reviewModel: z.string(),
  reviewRounds: z.string(),
  autoMerge: z.boolean(),
  autoResolve: z.boolean(),
  updateStrategy: z.enum(UPDATE_STRATEGIES),
  gitRemote: z.string(),
}) satisfies z.ZodType<WorkspaceFormValues>;

function parseGpuIndices(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const numbers = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  return numbers.some((value) => Number.isNaN(value) || value > 63) ? null : [...new Set(numbers)];
}

function parseInteger(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/** What only the form can check: its text fields hold numbers and lists. Errors use the request's field names. */
function checkNumbers(values: WorkspaceFormValues, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (!parseGpuIndices(values.gpuIndices)) issue("gpuIndices", "Give GPU indices as a comma-separated list of numbers from 0 to 63, e.g. 0, 1.");
  const concurrencyLimit = parseInteger(values.concurrencyLimit);
  if (concurrencyLimit === null || concurrencyLimit < 1 || concurrencyLimit > 64) issue("concurrencyLimit", "A whole number from 1 to 64.");
  const minutes = parseInteger(values.timeoutMinutes);
  if (minutes === null || minutes < 1 || minutes > 7 * 24 * 60) issue("taskTimeoutSec", "A whole number of minutes, from 1 to 10080 (7 days).");
  const maxSubtasks = parseInteger(values.maxSubtasks);
  if (maxSubtasks === null || maxSubtasks > 100) issue("maxSubtasks", "A whole number from 0 to 100.");
  const minFreeMemoryMb = parseInteger(values.minFreeMemoryMb);
  if (minFreeMemoryMb === null || minFreeMemoryMb > 16 * 1024 * 1024) issue("minFreeMemoryMb", "A whole number of MB, 0 for no check.");
  for (const [field, name] of [["setupTimeoutMinutes", "setupTimeoutSec"], ["checkTimeoutMinutes", "checkTimeoutSec"]] as const) {
    const value = parseInteger(values[field]);
    if (value === null || value < 1 || value > 24 * 60) issue(name, "A whole number of minutes, from 1 to 1440 (a day).");
  }
  const fixRounds = parseInteger(values.fixRounds);
  if (fixRounds === null || fixRounds > 5) issue("fixRounds", "A whole number from 0 to 5.");
  const reviewRounds = parseInteger(values.reviewRounds);
  if (reviewRounds === null || reviewRounds < 1 || reviewRounds > 5) issue("reviewRounds", "A whole number from 1 to 5.");
  const port = parseInteger(values.port);
  if (values.type !== "local" && values.port.trim() && (port === null || port < 1 || port > 65535)) issue("port", "A port from 1 to 65535.");
}

/**
 * The request body from the form's values. For an update, cleared optional fields are sent as
 * null; the type is fixed at creation and never sent.
 */
function toPayload(values: WorkspaceFormValues, mode: "create" | "edit"): Record<string, unknown> {
  const optional = (text: string) => (text.trim() ? text.trim() : mode === "edit" ? null : undefined);
  const remote = values.type !== "local";
  const port = parseInteger(values.port);
  const payload: Record<string, unknown> = {
    name: values.name.trim(),
    path: values.path.trim(),
    loginShell: values.loginShell,
    concurrencyLimit: parseInteger(values.concurrencyLimit),
    gpuIndices: parseGpuIndices(values.gpuIndices),
    notes: values.notes,
    worktreeRoot: optional(values.worktreeRoot),
    taskTimeoutSec: parseInteger(values.timeoutMinutes)! * 60,
    agentMcp: values.agentMcp,
    maxSubtasks: parseInteger(values.maxSubtasks),
    minFreeMemoryMb: parseInteger(values.minFreeMemoryMb),
    setupScript: values.setupScript,
    setupTimeoutSec: parseInteger(values.setupTimeoutMinutes)! * 60,
    checkCommand: values.checkCommand,
    checkTimeoutSec: parseInteger(values.checkTimeoutMinutes)! * 60,
    fixRounds: parseInteger(values.fixRounds),
    reviewBackend: values.reviewBackend || (mode === "edit" ? null : undefined),
    reviewModel: values.reviewBackend ? optional(values.reviewModel) : mode === "edit" ? null : undefined,
    reviewRounds: parseInteger(values.reviewRounds),
    autoMerge: values.autoMerge,
    autoResolve: values.autoResolve,
    updateStrategy: values.updateStrategy,
    gitRemote: values.gitRemote.trim(),
  };
  if (values.baseBranch.trim()) payload.baseBranch = values.baseBranch.trim();
  if (mode === "create") payload.type = values.type;
  if (remote) {
    payload.host = optional(values.host);
    payload.port = values.port.trim() ? port : mode === "edit" ? null : undefined;
    payload.user = optional(values.user);
    payload.identityFile = optional(values.identityFile);
    payload.containerName = values.type === "ssh_container" ? optional(values.containerName) : undefined;
  }
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return payload;
}

/**
 * The workspace forms: the form's text fields, turned into the request body and checked with
 * the API's own schema (workspaceCreateSchema, workspaceUpdateSchema).
 */
export const workspaceCreateFormSchema = formFieldsSchema
  .superRefine(checkNumbers)
  .transform((values) => toPayload(values, "create") as z.input<typeof workspaceCreateSchema>)
  .pipe(workspaceCreateSchema);

export const workspaceEditFormSchema = formFieldsSchema
  .superRefine(checkNumbers)
  .transform((values) => toPayload(values, "edit") as z.input<typeof workspaceUpdateSchema>)
  .pipe(workspaceUpdateSchema);

import type { LoginShell, WorkspaceType } from "@/lib/enums";
import type { WorkspaceDto } from "@/lib/schemas/workspace";

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
  };
}

type Payload = Record<string, unknown>;

function parseGpuIndices(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const numbers = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  return numbers.some((value) => Number.isNaN(value) || value > 63) ? null : [...new Set(numbers)];
}

function parseInteger(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/**
 * Checks what the browser can check and builds the request body. For an update, cleared
 * optional fields are sent as null; the type is fixed at creation and never sent.
 */
export function toWorkspacePayload(values: WorkspaceFormValues, mode: "create" | "edit"): { payload?: Payload; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const gpuIndices = parseGpuIndices(values.gpuIndices);
  if (!gpuIndices) errors.gpuIndices = "Give GPU indices as a comma-separated list of numbers from 0 to 63, e.g. 0, 1.";
  const concurrencyLimit = parseInteger(values.concurrencyLimit);
  if (concurrencyLimit === null || concurrencyLimit < 1 || concurrencyLimit > 64) errors.concurrencyLimit = "A whole number from 1 to 64.";
  const minutes = parseInteger(values.timeoutMinutes);
  if (minutes === null || minutes < 1 || minutes > 7 * 24 * 60) errors.taskTimeoutSec = "A whole number of minutes, from 1 to 10080 (7 days).";
  const remote = values.type !== "local";
  const port = remote ? parseInteger(values.port) : null;
  if (remote && values.port.trim() && (port === null || port < 1 || port > 65535)) errors.port = "A port from 1 to 65535.";
  if (Object.keys(errors).length > 0) return { errors };

  const optional = (text: string) => (text.trim() ? text.trim() : mode === "edit" ? null : undefined);
  const payload: Payload = {
    name: values.name.trim(),
    path: values.path.trim(),
    loginShell: values.loginShell,
    concurrencyLimit,
    gpuIndices,
    notes: values.notes,
    worktreeRoot: optional(values.worktreeRoot),
    taskTimeoutSec: minutes! * 60,
  };
  if (values.baseBranch.trim()) payload.baseBranch = values.baseBranch.trim();
  if (mode === "create") payload.type = values.type;
  if (remote) {
    payload.host = optional(values.host);
    payload.port = port ?? (mode === "edit" ? null : undefined);
    payload.user = optional(values.user);
    payload.identityFile = optional(values.identityFile);
    payload.containerName = values.type === "ssh_container" ? optional(values.containerName) : undefined;
  }
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return { payload, errors };
}

import type { ApiErrorBody } from "./errors";

/** A failed API call: the server's error code and message, or a network failure (`network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** True for an endpoint that is not there (yet), as opposed to a missing record. */
export function isMissingEndpoint(error: unknown): boolean {
  return isApiError(error) && error.status === 404 && !error.code.startsWith("not_found:");
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

/** Sends the browser to the login page, which brings it back here once logged in. */
export function redirectToLogin(): void {
  if (typeof window === "undefined" || window.location.pathname === "/login") return;
  window.location.assign(`/login?next=${encodeURIComponent(`${window.location.pathname}${window.location.search}`)}`);
}

/**
 * For streams and sockets, which do not show their status: after one failed, asks whether the
 * session is still good (the gate answers 401 when not) and goes to the login page if not.
 */
export async function checkSession(): Promise<void> {
  try {
    const response = await fetch("/api/session", { headers: { Accept: "application/json" } });
    if (response.status === 401) redirectToLogin();
  } catch {
    // The server is unreachable: the stream's own reconnecting covers that.
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (body.error?.message) return new ApiError(response.status, body.error.code ?? "internal", body.error.message, body.error.details);
  } catch {
    // Not JSON: a proxy page or an endpoint that does not exist.
  }
  const message = response.status === 404 ? "Not found." : `The server answered ${response.status} ${response.statusText}.`;
  return new ApiError(response.status, response.status === 404 ? "not_found" : "internal", message);
}

export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      headers: { Accept: "application/json", ...(json !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the server. Is AI-Slave running?");
  }
  if (response.status === 401) redirectToLogin();
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => apiFetch<T>(path),
  post: <T>(path: string, json: unknown = {}) => apiFetch<T>(path, { method: "POST", json }),
  patch: <T>(path: string, json: unknown) => apiFetch<T>(path, { method: "PATCH", json }),
  delete: <T = void>(path: string) => apiFetch<T>(path, { method: "DELETE" }),
};

/** The SWR fetcher: keys are API paths. */
export const swrFetcher = <T>(path: string) => apiFetch<T>(path);

interface Issue {
  path: string | (string | number)[];
  message: string;
}

/**
 * Field errors from a failed request: validation issues (details.issues[].path) and the
 * `<kind>:<resource>_<field>` codes the server uses for one field (e.g. unprocessable:workspace_path).
 */
export function fieldErrors(error: unknown, resource?: string): Record<string, string> {
  if (!isApiError(error)) return {};
  const result: Record<string, string> = {};
  const issues = (error.details as { issues?: Issue[] } | undefined)?.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues) {
      const key = String(Array.isArray(issue.path) ? issue.path[0] : issue.path.split(".")[0]);
      if (key && !result[key]) result[key] = issue.message;
    }
  }
  const subject = error.code.split(":")[1];
  if (resource && subject?.startsWith(`${resource}_`)) {
    const field = subject.slice(resource.length + 1).replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (!result[field]) result[field] = error.message;
  }
  return result;
}

import type { z } from "zod";
import { apiErrorBodySchema } from "./schemas/common";

/**
 * A failed API call: the server's error code and message, a network failure (`network`), or an
 * answer that does not match its schema (`invalid_response`).
 */
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: a proxy page or an endpoint that does not exist.
  }
  const body = apiErrorBodySchema.safeParse(json);
  if (body.success) return new ApiError(response.status, body.data.error.code || "internal", body.data.error.message, body.data.error.details);
  const message = response.status === 404 ? "Not found." : `The server answered ${response.status} ${response.statusText}.`;
  return new ApiError(response.status, response.status === 404 ? "not_found" : "internal", message);
}

function issueText(issue: z.core.$ZodIssue): string {
  return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
}

/** The answer's body checked against its schema; one that does not match is an `invalid_response` ApiError. */
async function parseAnswer<S extends z.ZodType>(response: Response, schema: S, what: string): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new ApiError(response.status, "invalid_response", `The server's answer to ${what} is not JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw new ApiError(
    response.status,
    "invalid_response",
    `The server's answer to ${what} does not have the expected shape (${issueText(parsed.error.issues[0]!)}). Is the page older than the server? Reload it.`,
    { issues },
  );
}

type RequestOptions = RequestInit & { json?: unknown };

async function send(path: string, init: RequestOptions): Promise<Response> {
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
  return response;
}

/** Calls the API and validates the answer with `schema` (lib/schemas/): the only way the client reads a response. */
export async function apiFetch<S extends z.ZodType>(path: string, schema: S, init: RequestOptions = {}): Promise<z.output<S>> {
  const response = await send(path, init);
  return parseAnswer(response, schema, `${init.method ?? "GET"} ${path}`);
}

export const api = {
  get: <S extends z.ZodType>(path: string, schema: S) => apiFetch(path, schema),
  post: <S extends z.ZodType>(path: string, schema: S, json: unknown = {}) => apiFetch(path, schema, { method: "POST", json }),
  put: <S extends z.ZodType>(path: string, schema: S, json: unknown) => apiFetch(path, schema, { method: "PUT", json }),
  patch: <S extends z.ZodType>(path: string, schema: S, json: unknown) => apiFetch(path, schema, { method: "PATCH", json }),
  /** DELETE answers 204 with no body. */
  delete: async (path: string): Promise<void> => void (await send(path, { method: "DELETE" })),
};

/** An SWR fetcher for keys that are API paths, validating with `schema`. */
export const fetcherFor =
  <S extends z.ZodType>(schema: S) =>
  (path: string): Promise<z.output<S>> =>
    api.get(path, schema);

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

/**
 * One SSE message's JSON checked against its schema. A message that does not match is dropped
 * with a console warning: a stream outlives one bad message, unlike a request.
 */
export function parseMessage<S extends z.ZodType>(schema: S, data: string, what: string): z.output<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    console.warn(`[api] a ${what} message is not JSON; ignored.`);
    return null;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  console.warn(`[api] a ${what} message does not have the expected shape (${issueText(parsed.error.issues[0]!)}); ignored.`);
  return null;
}

import "server-only";
import { z } from "zod";
import { AppError, badRequest, tooLarge, type ApiErrorBody } from "@/lib/errors";
import { idSchema } from "@/lib/schemas/common";
import { config } from "@/server/config";
import { storageError } from "@/server/db/storage-errors";
import { checkOrigin } from "./origin";

type Params = Record<string, string | string[] | undefined>;
export interface RouteContext {
  params: Promise<Params>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function errorResponse(error: AppError): Response {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return Response.json(body, { status: error.status });
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const storage = storageError(error);
  if (storage) return storage;
  console.error("[api] unexpected error", error);
  return new AppError("internal", "Something went wrong on the server; the server log has the details.");
}

/**
 * Wraps a route handler: refuses cross-site state changes, maps AppErrors to their status and
 * anything else to a 500 without internals. A handler returns a Response or a JSON value.
 */
export function handler(fn: (request: Request, params: Params) => Promise<Response | unknown>) {
  return async (request: Request, context?: RouteContext): Promise<Response> => {
    try {
      if (STATE_CHANGING.has(request.method)) {
        const refused = checkOrigin({
          origin: request.headers.get("origin"),
          host: request.headers.get("host"),
          secFetchSite: request.headers.get("sec-fetch-site"),
          allowedOrigins: config().allowedOrigins,
          bindHost: config().host,
          allowedHosts: config().allowedHosts,
        });
        if (refused) throw new AppError("forbidden:origin", refused);
      }
      // No DELETE here reads a body: one that comes with a body is refused before it acts.
      if (request.method === "DELETE" && hasBody(request)) throw badRequest("body", "A DELETE request takes no body; options go in the query string.");
      const params = (await context?.params) ?? {};
      const result = await fn(request, params);
      return result instanceof Response ? result : Response.json(result);
    } catch (error) {
      return errorResponse(toAppError(error));
    }
  };
}

function hasBody(request: Request): boolean {
  const length = Number(request.headers.get("content-length") ?? 0);
  return (Number.isFinite(length) && length > 0) || request.headers.has("transfer-encoding");
}

function validationError(error: z.ZodError, where: string): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  const first = issues[0];
  const message = first ? `Invalid ${where}: ${first.path ? `${first.path}: ` : ""}${first.message}` : `Invalid ${where}.`;
  return badRequest("validation", message, { issues });
}

const BODY_TOO_LARGE = "The request body is over 1 MB.";

/** The body as text, refused with 413 past 1 MB: by Content-Length first, then while it streams. */
async function readBodyText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge("body", BODY_TOO_LARGE);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge("body", BODY_TOO_LARGE);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw badRequest("encoding", "The request body is not valid UTF-8.");
  }
}

export async function parseBody<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const text = await readBodyText(request);
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw badRequest("json", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw validationError(parsed.error, "body");
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.infer<T> {
  const query = Object.fromEntries(new URL(request.url).searchParams.entries());
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationError(parsed.error, "query");
  return parsed.data;
}

export function parseId(params: Params, name = "id"): number {
  const parsed = idSchema.safeParse(params[name]);
  if (!parsed.success) throw badRequest("id", `"${String(params[name])}" is not a valid id.`);
  return parsed.data;
}

export function created(body: unknown): Response {
  return Response.json(body, { status: 201 });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

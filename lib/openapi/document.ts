import type { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { apiErrorBodySchema } from "../schemas/common";
import { runSchema, taskSchema } from "../schemas/task";
import { workspaceSchema } from "../schemas/workspace";
import { API_OPERATIONS, type ApiOperation, type HttpMethod, type SuccessBody } from "./operations";

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted (a JSON-RPC notification or response)",
  204: "No content",
  400: "Invalid input (validation, JSON, id); details.issues lists the fields",
  401: "No token or session, or not a valid one",
  403: "Refused (a cross-site request, or an untrusted Host)",
  404: "No such thing",
  405: "Method not allowed",
  406: "Not acceptable (the Accept header)",
  409: "The thing's state does not allow it now",
  413: "The request body is over 1 MB",
  415: "Unsupported content type",
  429: "Too many at once (open event streams)",
  422: "Refers to something that does not exist or cannot be used",
  500: "A server error; the server log has the details",
  503: "Degraded (health), or the database is locked by another process (code unavailable:database_busy); nothing was changed",
  507: "The disk of the server's data folder is full (code insufficient_storage:disk_full); nothing was changed",
};

const STATE_CHANGING: HttpMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

/** The error statuses a route answers: those every route of its kind can, plus its own. */
export function errorStatuses(method: HttpMethod, operation: ApiOperation): number[] {
  // Any route may meet a database locked by another process; a write, a full disk.
  const statuses = new Set<number>([500, 503, ...(operation.errors ?? [])]);
  if (STATE_CHANGING.includes(method)) statuses.add(507);
  if (!operation.public) statuses.add(401);
  if (operation.params || operation.query || operation.body || method === "DELETE") statuses.add(400);
  if (STATE_CHANGING.includes(method)) statuses.add(403);
  if (operation.body) statuses.add(413);
  // Event streams are capped per server (server/events/sse.ts).
  if (Object.values(operation.ok).some((body) => typeof body === "object" && "sse" in body)) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

function successContent(body: SuccessBody) {
  if (body === "empty") return undefined;
  if ("sse" in body) return { "text/event-stream": { schema: { type: "string" as const, description: body.sse } } };
  if ("mcp" in body) {
    return {
      "application/json": { schema: { description: "A JSON-RPC response (or batch)", type: "object" as const } },
      "text/event-stream": { schema: { type: "string" as const, description: "JSON-RPC messages as `event: message`" } },
    };
  }
  return { "application/json": { schema: body as z.ZodType } };
}

function responsesOf(method: HttpMethod, operation: ApiOperation): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, body] of Object.entries(operation.ok)) {
    responses[status as `2${string}`] = { description: STATUS_TEXT[Number(status)] ?? status, content: successContent(body) };
  }
  const own = new Set(operation.errors ?? []);
  for (const status of errorStatuses(method, operation)) {
    const schema = own.has(status) && operation.errorBody ? operation.errorBody : apiErrorBodySchema;
    responses[String(status) as `4${string}`] = { description: STATUS_TEXT[status] ?? String(status), content: { "application/json": { schema } } };
  }
  return responses;
}

function operationObject(method: HttpMethod, operation: ApiOperation): ZodOpenApiOperationObject {
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(operation.public ? { security: [] } : {}),
    ...(operation.params || operation.query ? { requestParams: { ...(operation.params ? { path: operation.params } : {}), ...(operation.query ? { query: operation.query } : {}) } } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { "application/json": { schema: operation.body } } } } : {}),
    responses: responsesOf(method, operation),
  };
}

function buildDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, operation] of Object.entries(API_OPERATIONS)) {
    const [method, path] = key.split(" ") as [HttpMethod, string];
    paths[path] = { ...paths[path], [method.toLowerCase()]: operationObject(method, operation) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "AI-Slave API",
      version: "1.0.0",
      description:
        "Queue and follow coding-agent tasks. Every route but /api/health needs the server's token: `Authorization: Bearer <token>` (`npm run token` prints it). Errors are `{error:{code,message,details?}}`, the code `<kind>:<subject>`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerToken: [] }],
    tags: [
      { name: "tasks", description: "Coding tasks: queue, follow, continue, merge" },
      { name: "reviews", description: "Review comments, request changes, approve" },
      { name: "runs", description: "One agent run of a task and its log" },
      { name: "workspaces", description: "Repositories on this or another machine" },
      { name: "settings", description: "Stored settings" },
      { name: "system", description: "Health, models, usage, board events" },
      { name: "mcp", description: "The Model Context Protocol server" },
    ],
    components: {
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "The server's access token (npm run token)." } },
      schemas: { Error: apiErrorBodySchema, Task: taskSchema, Run: runSchema, Workspace: workspaceSchema },
    },
    paths,
  }, { override: closeIntersections });
}

type JsonSchemaNode = Record<string, unknown>;

/** Drops `additionalProperties: false` from a node and the alternatives and parts below it. */
function openUp(node: JsonSchemaNode): void {
  if (node.additionalProperties === false) delete node.additionalProperties;
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const parts = node[key];
    if (Array.isArray(parts)) for (const part of parts) openUp(part as JsonSchemaNode);
  }
}

/**
 * zod renders an intersection as `allOf` whose parts each forbid the other's properties, which
 * nothing can satisfy; closing the whole with `unevaluatedProperties` keeps "no extra fields".
 */
function closeIntersections({ jsonSchema, zodSchema, io }: { jsonSchema: JsonSchemaNode; zodSchema: z.core.$ZodType; io: "input" | "output" }): void {
  if (zodSchema._zod.def.type !== "intersection" || io !== "output") return;
  openUp(jsonSchema);
  jsonSchema.unevaluatedProperties = false;
}

let cached: ReturnType<typeof buildDocument> | null = null;

/** The OpenAPI 3.1 document of the whole API, built once from the registry. */
export function openApiDocument(): ReturnType<typeof buildDocument> {
  cached ??= buildDocument();
  return cached;
}

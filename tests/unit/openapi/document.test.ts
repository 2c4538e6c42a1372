/**
 * The OpenAPI document: every route file's exported method has a registry entry (and no entry
 * lacks its route), and the generated document is a valid OpenAPI 3.1 document.
 */
import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/document";
import { API_OPERATIONS, HTTP_METHODS, routePathOf } from "@/lib/openapi/operations";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** `GET /api/tasks/{id}` for each HTTP method a route file exports. */
function exportedOperations(): string[] {
  return routeFiles(path.join(ROOT, "app", "api")).flatMap((file) => {
    const text = fs.readFileSync(file, "utf8");
    const methods = [...text.matchAll(/^export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/gm)].map((match) => match[1]!);
    return methods.map((method) => `${method} ${routePathOf(path.relative(ROOT, file))}`);
  });
}

describe("the API registry", () => {
  it("maps route folders to OpenAPI paths", () => {
    expect(routePathOf("app/api/tasks/[id]/logs/stream/route.ts")).toBe("/api/tasks/{id}/logs/stream");
    expect(routePathOf("app/api/tasks/route.ts")).toBe("/api/tasks");
    expect(routePathOf("/x/app/api/openapi.json/route.ts")).toBe("/api/openapi.json");
  });

  it("has an entry for every method a route file exports, and no entry without its route", () => {
    const exported = exportedOperations();
    expect(exported.length).toBeGreaterThan(30);
    expect(exported.filter((key) => !(key in API_OPERATIONS))).toEqual([]);
    expect(Object.keys(API_OPERATIONS).filter((key) => !exported.includes(key))).toEqual([]);
  });

  it("declares only methods it knows and unique operation ids", () => {
    const ids = Object.entries(API_OPERATIONS).map(([key, operation]) => {
      expect(HTTP_METHODS).toContain(key.split(" ")[0]);
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the OpenAPI document", () => {
  const document = openApiDocument() as unknown as {
    openapi: string;
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown[] }>>;
    components: { securitySchemes: Record<string, unknown> };
  };

  it("is valid OpenAPI 3.1 per a standard validator", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("a broken document fails the validator (the check can fail)", async () => {
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    (broken.paths as Record<string, Record<string, Record<string, unknown>>>)["/api/tasks"]!.get!.responses = "none";
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it("has every registry path with its path parameters, the bearer scheme and the error body", () => {
    expect(document.components.securitySchemes.bearerToken).toMatchObject({ type: "http", scheme: "bearer" });
    const getTask = document.paths["/api/tasks/{id}"]!.get!;
    expect(getTask.parameters).toEqual([expect.objectContaining({ name: "id", in: "path", required: true })]);
    expect(Object.keys(getTask.responses)).toEqual(["200", "400", "401", "404", "500", "503"]);
    expect(getTask.responses["404"]).toMatchObject({ content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
    expect(document.paths["/api/health"]!.get!.security).toEqual([]);
    const createTask = document.paths["/api/tasks"]!.post! as unknown as { requestBody: { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> } };
    const body = createTask.requestBody.content["application/json"]!.schema;
    expect(body.required).toEqual(expect.arrayContaining(["prompt", "backend"]));
    // Exactly one of the two (the server answers 422 otherwise): both optional in the schema.
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["workspaceId", "poolId"]));
    expect(Object.keys(document.paths).sort()).toEqual([...new Set(Object.keys(API_OPERATIONS).map((key) => key.split(" ")[1]))].sort());
  });
});

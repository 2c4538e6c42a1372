import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedResponses } from "@/tests/contract/recorder";
import { jsonRequest, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * GET /api/openapi.json serves a valid document, and the contract hook (tests/contract/setup.ts)
 * sees the answers these route calls get: it checks every integration test's route calls the same way.
 */
let testDb: TestDb;
beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => testDb.cleanup());

describe("GET /api/openapi.json", () => {
  it("serves a valid OpenAPI 3.1 document of the API", async () => {
    const { GET } = await import("@/app/api/openapi.json/route");
    const response = await GET(jsonRequest("/api/openapi.json", "GET"), routeContext());
    expect(response.status).toBe(200);
    const document = await response.json();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/tasks", "/api/tasks/{id}", "/api/workspaces", "/api/openapi.json"]));
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
  });

  it("the contract hook checked each route answer of this file, errors included", async () => {
    const before = checkedResponses().length;
    const task = await import("@/app/api/tasks/[id]/route");
    const missing = await task.GET(jsonRequest("/api/tasks/999", "GET"), routeContext({ id: "999" }));
    expect(missing.status).toBe(404);
    const bad = await task.GET(jsonRequest("/api/tasks/x", "GET"), routeContext({ id: "x" }));
    expect(bad.status).toBe(400);
    expect(checkedResponses().slice(before).map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual(["GET /api/tasks/{id} 404", "GET /api/tasks/{id} 400"]);
    expect(checkedResponses()[0]).toMatchObject({ method: "GET", path: "/api/openapi.json", status: 200 });
  });
});

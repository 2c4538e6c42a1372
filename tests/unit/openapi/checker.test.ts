import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createDocument } from "zod-openapi";
import { openApiDocument } from "@/lib/openapi/document";
import { createContractChecker } from "@/tests/contract/checker";

const task = { id: 1, number: 1, title: "t", prompt: "p", workspaceId: 1, poolId: null, backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "TODO", failureReason: null, waitingReason: null, branch: null, worktreePath: null, promptHistory: [], currentRunId: null, reviewBackend: null, reviewModel: null, checkState: "NONE", reviewState: "NONE", reviewedBy: null, permissionDenials: [], createdAt: "x", updatedAt: "x", startedAt: null, finishedAt: null, mergedAt: null, parentTaskId: null, dependsOn: [], dependencyMode: "merged", overlaps: [], pullRequest: null, mergeQueue: null, accountId: null, fallbackBackend: null, gpus: 0, gpuIndices: [] };
const json = "application/json; charset=utf-8";

describe("the contract checker", () => {
  const checker = createContractChecker(openApiDocument());

  it("accepts an answer the document describes", () => {
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: json, body: task })).toEqual([]);
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 404, contentType: json, body: { error: { code: "not_found:task", message: "No task" } } })).toEqual([]);
    expect(checker.check({ method: "DELETE", path: "/api/tasks/{id}", status: 204, contentType: null })).toEqual([]);
    expect(checker.check({ method: "GET", path: "/api/events", status: 200, contentType: "text/event-stream" })).toEqual([]);
  });

  it("refuses a body that misses a field, has an extra one or a wrong type", () => {
    const { status: _omit, ...noStatus } = task;
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: json, body: noStatus })).toEqual([expect.stringContaining("must have required property 'status'")]);
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: json, body: { ...task, secret: 1 } })).toEqual([expect.stringContaining("additional properties")]);
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: json, body: { ...task, status: "DOING" } })).not.toEqual([]);
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 400, contentType: json, body: { message: "x" } })).not.toEqual([]);
  });

  it("refuses an undeclared status, route, method or content type", () => {
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 409, contentType: json, body: { error: { code: "conflict:x", message: "x" } } })).toEqual([expect.stringContaining("status 409 is not declared")]);
    expect(checker.check({ method: "GET", path: "/api/nothing", status: 200, contentType: json, body: {} })).toEqual([expect.stringContaining("not in the OpenAPI document")]);
    expect(checker.check({ method: "PUT", path: "/api/tasks/{id}", status: 200, contentType: json, body: task })).not.toEqual([]);
    expect(checker.check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: "text/html", body: undefined })).toEqual([expect.stringContaining("content type text/html")]);
    expect(checker.check({ method: "DELETE", path: "/api/tasks/{id}", status: 204, contentType: json, body: {} })).toEqual([expect.stringContaining("declares none")]);
  });

  it("keeps intersections closed: a stored log event with a stray field is refused", () => {
    const page = (item: object) => ({ method: "GET", path: "/api/runs/{id}/logs", status: 200, contentType: json, body: { items: [item], nextCursor: null } });
    expect(checker.check(page({ kind: "assistant", text: "hi", seq: 1, ts: "t" }))).toEqual([]);
    expect(checker.check(page({ kind: "assistant", text: "hi", seq: 1, ts: "t", stray: true }))).not.toEqual([]);
    expect(checker.check(page({ kind: "assistant", text: "hi", ts: "t" }))).not.toEqual([]);
  });

  it("catches a deliberately wrong schema in a document", () => {
    const wrong = createDocument({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/api/tasks/{id}": { get: { responses: { "200": { description: "ok", content: { "application/json": { schema: z.object({ id: z.string() }) } } } } } } },
    });
    expect(createContractChecker(wrong).check({ method: "GET", path: "/api/tasks/{id}", status: 200, contentType: json, body: task })).not.toEqual([]);
  });
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api, ApiError, parseMessage } from "@/lib/api-client";
import { boardMessageSchema } from "@/lib/schemas/events";
import { taskListSchema, taskSchema } from "@/lib/schemas/task";

// A real HTTP server answering canned bodies by path: the client's fetch, parse and validation run for real.
const task = {
  id: 1, number: 1, title: "t", prompt: "p", workspaceId: 1, poolId: null, backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits",
  status: "TODO", failureReason: null, waitingReason: null, branch: null, worktreePath: null, promptHistory: [], currentRunId: null,
  reviewBackend: null, reviewModel: null, checkState: "NONE", reviewState: "NONE", reviewedBy: null, permissionDenials: [],
  createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", startedAt: null, finishedAt: null, mergedAt: null, parentTaskId: null, dependsOn: [], dependencyMode: "merged", overlaps: [], pullRequest: null, mergeQueue: null, accountId: null, fallbackBackend: null, gpus: 0, gpuIndices: [],
};
const answers: Record<string, { status: number; body: string }> = {
  "/task": { status: 200, body: JSON.stringify(task) },
  "/renamed": { status: 200, body: JSON.stringify({ ...task, status: undefined, state: "TODO" }) },
  "/list": { status: 200, body: JSON.stringify({ items: [task, { ...task, id: "2" }], nextCursor: null }) },
  "/html": { status: 200, body: "<html>proxy</html>" },
  "/refused": { status: 409, body: JSON.stringify({ error: { code: "conflict:task_running", message: "Task 1 is running." } }) },
  "/gone": { status: 204, body: "" },
};
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const answer = answers[request.url ?? ""] ?? { status: 404, body: "not here" };
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(answer.status === 204 ? undefined : answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("api client", () => {
  it("returns an answer that matches its schema", async () => {
    expect(await api.get(`${base}/task`, taskSchema)).toEqual(task);
    await expect(api.delete(`${base}/gone`)).resolves.toBeUndefined();
  });

  it("rejects an answer whose shape differs, naming the field", async () => {
    const renamed = await failure(api.get(`${base}/renamed`, taskSchema));
    expect(renamed.code).toBe("invalid_response");
    expect(renamed.message).toMatch(/answer to GET .*\/renamed does not have the expected shape \(status: /);
    const list = await failure(api.get(`${base}/list`, taskListSchema));
    expect(list.code).toBe("invalid_response");
    expect(list.message).toContain("items.1.id");
    expect((list.details as { issues: { path: string }[] }).issues[0]!.path).toBe("items.1.id");
  });

  it("rejects an answer that is not JSON", async () => {
    const html = await failure(api.post(`${base}/html`, taskSchema, {}));
    expect(html.code).toBe("invalid_response");
    expect(html.message).toContain("is not JSON");
  });

  it("turns an error body into its code and message, and a bare 404 into not_found", async () => {
    const refused = await failure(api.post(`${base}/refused`, taskSchema));
    expect([refused.status, refused.code, refused.message]).toEqual([409, "conflict:task_running", "Task 1 is running."]);
    const missing = await failure(api.get(`${base}/nowhere`, taskSchema));
    expect([missing.status, missing.code]).toEqual([404, "not_found"]);
  });

  it("drops an SSE message that does not match its schema", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(parseMessage(boardMessageSchema, JSON.stringify({ type: "task.created", taskId: 1, workspaceId: 1, status: "TODO", seq: 1, at: "x" }), "board")).toMatchObject({ taskId: 1 });
    expect(parseMessage(boardMessageSchema, JSON.stringify({ type: "task.created", taskId: "1", seq: 1, at: "x" }), "board")).toBeNull();
    expect(parseMessage(boardMessageSchema, "{", "board")).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});

/**
 * Integration setup: every route handler built with `handler()` reports each answer to the
 * contract recorder, which checks it against the OpenAPI document; a test whose route calls got
 * an answer the document does not describe fails. The handlers themselves run unchanged.
 */
import { afterAll, afterEach, expect, vi } from "vitest";
import { recordResponse, routePathFromStack, takeContractProblems } from "./recorder";

vi.mock("@/server/http/handler", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/server/http/handler")>();
  const handler: typeof original.handler = (fn) => {
    const route = original.handler(fn);
    const path = routePathFromStack(new Error().stack);
    return async (request, context) => {
      const response = await route(request, context);
      await recordResponse(request.method, path, response);
      return response;
    };
  };
  return { ...original, handler };
});

afterEach(() => {
  expect(takeContractProblems(), "answers that do not match the OpenAPI document").toEqual([]);
});

afterAll(() => {
  expect(takeContractProblems(), "answers that do not match the OpenAPI document").toEqual([]);
});

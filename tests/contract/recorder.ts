import { openApiDocument } from "@/lib/openapi/document";
import { routePathOf } from "@/lib/openapi/operations";
import { createContractChecker, type ContractChecker, type Observation } from "./checker";

/**
 * What the integration tests' route calls answered, checked against the OpenAPI document as
 * they happen. `tests/contract/setup.ts` wraps every route handler to report here.
 */
const state = { checked: [] as Observation[], problems: [] as string[] };
let checker: ContractChecker | null = null;

/** The route file's path template, from the stack of the `handler(...)` call in that file. */
export function routePathFromStack(stack: string | undefined): string | null {
  const match = stack?.match(/(\/app\/api\/(?:[^\s():]+\/)?route\.ts)/);
  return match ? routePathOf(match[1]!) : null;
}

export async function recordResponse(method: string, path: string | null, response: Response): Promise<void> {
  if (path === null) {
    state.problems.push(`${method}: a route handler outside app/api/**/route.ts answered ${response.status}`);
    return;
  }
  const contentType = response.headers.get("content-type");
  let body: unknown;
  if (contentType?.includes("application/json")) {
    const text = await response.clone().text();
    body = text === "" ? undefined : JSON.parse(text);
  } else if (!contentType?.includes("text/event-stream") && response.body) {
    const text = await response.clone().text();
    body = text === "" ? undefined : text;
  }
  const observation = { method, path, status: response.status, contentType, body };
  checker ??= createContractChecker(openApiDocument());
  state.checked.push(observation);
  state.problems.push(...checker.check(observation));
}

/** The problems found since the last call (and forgets them). */
export function takeContractProblems(): string[] {
  return state.problems.splice(0);
}

/** Every answer checked in this test file so far. */
export function checkedResponses(): readonly Observation[] {
  return state.checked;
}

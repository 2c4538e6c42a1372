import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/** Accounts through the API; the scheduler's holds and how many statements its waiting reasons cost. */

let testDb: TestDb;

beforeAll(async () => {
  testDb = await useTestDatabase();
});

afterAll(async () => {
  await testDb.cleanup();
});

async function call(method: "GET" | "POST", body?: unknown) {
  const route = await import("@/app/api/accounts/route");
  const response: Response = method === "GET" ? await route.GET(jsonRequest("/api/accounts", "GET")) : await route.POST(jsonRequest("/api/accounts", "POST", body));
  return { status: response.status, body: await response.json() };
}

async function callOne(method: "PATCH" | "DELETE", id: number | string, body?: unknown) {
  const route = await import("@/app/api/accounts/[id]/route");
  const response: Response = await route[method](jsonRequest(`/api/accounts/${id}`, method, body), routeContext({ id: String(id) }));
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

async function quota() {
  const { GET } = await import("@/app/api/quota/route");
  return (await (await GET(jsonRequest("/api/quota", "GET"))).json()).items as { provider: string; account: string; accountId: number | null; label: string; windows: unknown[]; held: boolean }[];
}

describe("accounts API", () => {
  it("without accounts, /api/quota lists one implicit default account per provider", async () => {
    const items = await quota();
    expect(items.filter((item) => item.provider === "anthropic")).toEqual([expect.objectContaining({ account: "default", accountId: null, label: "default", windows: [], held: false })]);
  });

  it("creates, lists, changes and deletes accounts; secrets are named, never stored", async () => {
    process.env.PLACE_TEST_TOKEN = "secret-value";
    const created = await call("POST", { provider: "anthropic", label: "work", priority: 1, configDir: "/srv/claude-work", env: { CLAUDE_CODE_OAUTH_TOKEN: "PLACE_TEST_TOKEN", ANTHROPIC_API_KEY: "PLACE_UNSET_VAR" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ provider: "anthropic", label: "work", priority: 1, configDir: "/srv/claude-work", missingEnv: ["PLACE_UNSET_VAR"] });
    expect(JSON.stringify(created.body)).not.toContain("secret-value");
    const second = await call("POST", { provider: "anthropic", label: "personal" });
    expect(second.body).toMatchObject({ priority: 0, configDir: null, env: {} });
    // Tried by ascending priority: personal (0) before work (1).
    expect((await call("GET")).body.items.map((item: { label: string }) => item.label)).toEqual(["personal", "work"]);
    const anthropic = (await quota()).filter((item) => item.provider === "anthropic");
    expect(anthropic.map((item) => [item.label, item.account])).toEqual([["personal", String(second.body.id)], ["work", String(created.body.id)]]);

    const patched = await callOne("PATCH", created.body.id, { priority: -1, env: {} });
    expect(patched).toMatchObject({ status: 200, body: { priority: -1, env: {}, missingEnv: [] } });
    expect((await callOne("DELETE", second.body.id)).status).toBe(204);
    expect((await callOne("DELETE", second.body.id)).status).toBe(404);
    expect((await call("GET")).body.items).toHaveLength(1);
  });

  it("refuses bad input and changes nothing", async () => {
    const before = (await call("GET")).body.items;
    for (const body of [
      { provider: "anthropic", label: "x", env: { "BAD NAME": "X" } },
      { provider: "anthropic", label: "x", env: { CLAUDE_CODE_OAUTH_TOKEN: "$(rm -rf /)" } },
      { provider: "anthropic", label: "x", configDir: "relative/dir" },
      { provider: "nobody", label: "x" },
      { provider: "anthropic", label: "" },
      { provider: "anthropic", label: "x", secret: "sk-..." },
    ]) {
      const answer = await call("POST", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe("bad_request:validation");
    }
    expect((await callOne("PATCH", 999_999, { label: "y" })).status).toBe(404);
    expect((await callOne("PATCH", before[0].id, { provider: "openai" })).status).toBe(400);
    expect((await call("GET")).body.items).toEqual(before);
  });
});

describe("the scheduler's holds", () => {
  it("200 tasks waiting for held accounts cost one waiting-reason statement, then none per pass", async () => {
    const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
    const { PrismaClient } = await import("@/server/db/generated/client");
    const { setSingleton } = await import("@/server/singleton");
    const { db, disconnectDb } = await import("@/server/db/client");
    const { Scheduler } = await import("@/server/scheduler/scheduler");
    await disconnectDb();
    // A client that reports every statement it sends.
    const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${testDb.file}` }), log: [{ emit: "event", level: "query" }] });
    const statements: string[] = [];
    client.$on("query", (event) => statements.push(event.query));
    setSingleton("prisma", client);

    const workspace = await db().workspace.create({ data: { name: "holds", type: "local", path: testDb.dir, baseBranch: "main", concurrencyLimit: 500 } });
    await db().account.deleteMany();
    const work = await db().account.create({ data: { provider: "anthropic", label: "work" } });
    const spare = await db().account.create({ data: { provider: "anthropic", label: "spare", priority: 1 } });
    const reset = new Date(Date.now() + 3_600_000).toISOString();
    for (const account of [work, spare]) {
      await db().quotaState.create({ data: { provider: "anthropic", account: String(account.id), state: "OK", windows: JSON.stringify([{ window: "5h", utilization: 0.95, resetsAt: reset }]) } });
    }
    await db().task.createMany({
      data: Array.from({ length: 200 }, (_, index) => ({ workspaceId: workspace.id, number: index + 1, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits" })),
    });
    const started: number[] = [];
    const scheduler = new Scheduler({ scanIntervalMs: 600_000, runnerMaxConcurrency: 500, execute: async (id) => void started.push(id) });

    const pass = async () => {
      statements.length = 0;
      await scheduler.dispatchPass();
      return { total: statements.length, taskWrites: statements.filter((sql) => /^UPDATE [`"]?(main[`"]?\.)?[`"]?Task/i.test(sql.trim())).length };
    };
    const first = await pass();
    expect(started).toEqual([]);
    expect(first.taskWrites).toBe(1);
    const reasons = await db().task.groupBy({ by: ["waitingReason"], _count: { _all: true } });
    expect(reasons).toEqual([{ waitingReason: expect.stringMatching(/^Waiting for quota: every anthropic account is held \(work: 5-hour window at 95%; spare: 5-hour window at 95%\)/), _count: { _all: 200 } }]);
    const second = await pass();
    expect(second.taskWrites).toBe(0);
    // The reads of a pass do not grow with the queue either.
    expect(second.total).toBeLessThanOrEqual(first.total);
    expect(second.total).toBeLessThan(15);

    // The spare account's window drops: every task may go, on the spare account.
    await db().quotaState.update({ where: { provider_account: { provider: "anthropic", account: String(spare.id) } }, data: { windows: "[]" } });
    const third = await pass();
    expect(started).toHaveLength(200);
    expect(third.taskWrites).toBeLessThan(210);
    await scheduler.stop();
    await disconnectDb();
  });
});

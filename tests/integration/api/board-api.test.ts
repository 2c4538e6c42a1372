import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTasks } from "../../fixtures/seed-tasks";
import { jsonRequest, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
let workspaceId: number;
let otherWorkspaceId: number;
let routes: typeof import("@/app/api/tasks/route");
let countRoutes: typeof import("@/app/api/tasks/counts/route");
let boardRoutes: typeof import("@/app/api/tasks/board/route");

interface Item {
  id: number;
  title: string;
  status: string;
  queuedAt?: string;
  finishedAt: string | null;
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  const { createWorkspace } = await import("@/server/workspaces/service");
  const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
  workspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "big", path: makeGitRepo(testDb.dir) }))).id;
  otherWorkspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "other", path: makeGitRepo(`${testDb.dir}/o`) }))).id;
  await seedTasks(testDb.file, workspaceId, { TODO: 620, DONE: 730, FAILED: 55 });
  await seedTasks(testDb.file, otherWorkspaceId, { TODO: 3, DONE: 4 }, "other");
  routes = await import("@/app/api/tasks/route");
  countRoutes = await import("@/app/api/tasks/counts/route");
  boardRoutes = await import("@/app/api/tasks/board/route");
});
afterAll(async () => testDb.cleanup());

const get = async (url: string) => {
  const response = await routes.GET(jsonRequest(url, "GET"));
  return { status: response.status, body: await response.json() };
};
const counts = async (query: string) => {
  const response = await countRoutes.GET(jsonRequest(`/api/tasks/counts?${query}`, "GET"));
  return { status: response.status, body: await response.json() };
};

const board = async (query: string) => {
  const response = await boardRoutes.GET(jsonRequest(`/api/tasks/board?${query}`, "GET"));
  return { status: response.status, body: await response.json() };
};

/** Every page of a column, following nextCursor. */
async function walk(query: string, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const { status, body } = await get(`/api/tasks?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(status).toBe(200);
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error("more than 100 pages");
}

describe("the board's data at scale", () => {
  it("counts every task per status on the server, not the length of a page", async () => {
    const { status, body } = await counts(`workspaceId=${workspaceId}`);
    expect(status).toBe(200);
    expect(body).toEqual({ counts: { TODO: 620, RUNNING: 0, DONE: 730, FAILED: 55 }, total: 1405 });
    expect((await counts(`workspaceId=${otherWorkspaceId}`)).body.counts).toEqual({ TODO: 3, RUNNING: 0, DONE: 4, FAILED: 0 });
  });

  it("pages Queued in the scheduler's dispatch order and reaches every task", async () => {
    const items = await walk(`workspaceId=${workspaceId}&status=TODO&sort=queue`, 50);
    expect(items).toHaveLength(620);
    expect(new Set(items.map((item) => item.id)).size).toBe(620);
    // The seeded queue is oldest first by index: the scheduler's order (queuedAt asc, id asc).
    expect(items.slice(0, 3).map((item) => item.title)).toEqual(["seed TODO 0", "seed TODO 1", "seed TODO 2"]);
    expect(items[619]!.title).toBe("seed TODO 619");
  });

  it("pages Done newest finish first with a cursor, ties broken by id", async () => {
    const items = await walk(`workspaceId=${workspaceId}&status=DONE&sort=finished`, 64);
    expect(items).toHaveLength(730);
    expect(items[0]!.title).toBe("seed DONE 729");
    expect(items[729]!.title).toBe("seed DONE 0");
    const times = items.map((item) => Date.parse(item.finishedAt!));
    expect(times.every((time, index) => index === 0 || time <= times[index - 1]!)).toBe(true);
  });

  it("sorts by finish with the unfinished last, across pages, and Done's page walks the index instead of sorting the column", async () => {
    // The other workspace: 4 DONE (finished) and 3 TODO (finishedAt null); pages of 3 cross from one to the other.
    const items = await walk(`workspaceId=${otherWorkspaceId}&sort=finished`, 3);
    expect(items.map((item) => item.title)).toEqual(["other DONE 3", "other DONE 2", "other DONE 1", "other DONE 0", "other TODO 2", "other TODO 1", "other TODO 0"]);
    // The list's statement, and SQLite's plan for it.
    const { pageSql } = await import("@/server/tasks/list");
    const { directRead } = await import("@/server/db/log-connection");
    const plans: string[] = [];
    for (const [status, sort] of [["DONE", "finished"], ["FAILED", "finished"], ["TODO", "queue"]] as const) {
      const sql = pageSql({ workspaceId, status, sort, limit: 50 });
      const plan = directRead<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql.text}`, ...sql.args);
      plans.push(`${status}: ${plan.map((row) => row.detail).join("; ")}`);
    }
    for (const plan of plans) {
      expect(plan).toMatch(/USING (COVERING )?INDEX Task_workspaceId_status_/);
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it("filters on the server: text, #number, backend, review; the counts follow the same filters", async () => {
    const found = await get(`/api/tasks?workspaceId=${workspaceId}&q=seed%20DONE%2012&sort=finished&status=DONE`);
    expect(found.body.items.map((item: Item) => item.title).sort()).toEqual(["seed DONE 12", "seed DONE 120", "seed DONE 121", "seed DONE 122", "seed DONE 123", "seed DONE 124", "seed DONE 125", "seed DONE 126", "seed DONE 127", "seed DONE 128", "seed DONE 129"]);
    expect((await counts(`workspaceId=${workspaceId}&q=SEED%20done%2012`)).body.counts).toEqual({ TODO: 0, RUNNING: 0, DONE: 11, FAILED: 0 });
    const byNumber = await get(`/api/tasks?workspaceId=${workspaceId}&q=%23700`);
    expect(byNumber.body.items).toHaveLength(1);
    expect(byNumber.body.items[0].number).toBe(700);
    expect((await counts(`workspaceId=${workspaceId}&backend=codex_cli`)).body.total).toBe(0);
    expect((await counts(`workspaceId=${workspaceId}&review=needs-review`)).body.counts).toEqual({ TODO: 0, RUNNING: 0, DONE: 730, FAILED: 0 });
    // The text is matched as written: `%` and `_` are not wildcards ("seed DONE 1" has a space where "_" stands).
    expect((await counts(`workspaceId=${workspaceId}&q=%25`)).body.total).toBe(0);
    expect((await counts(`workspaceId=${workspaceId}&q=seed_DONE_1`)).body.total).toBe(0);
    expect((await counts(`workspaceId=${workspaceId}&q=seed%20DONE%201`)).body.counts.DONE).toBeGreaterThan(0);
  });

  it("answers the board's first screen in one request: the counts and each column's first page, as the separate requests give them", async () => {
    // Some of the first pages' tasks in the merge queue, and some whose changed files overlap,
    // so the answers compared below carry both (the board reads them once for all columns).
    const { db } = await import("@/server/db/client");
    const newestDone = await db().task.findMany({ where: { workspaceId, status: "DONE" }, orderBy: { finishedAt: "desc" }, take: 2, select: { id: true } });
    const queueHead = await db().task.findMany({ where: { workspaceId, status: "TODO" }, orderBy: { queuedAt: "asc" }, take: 2, select: { id: true } });
    await db().mergeQueueEntry.createMany({ data: newestDone.map((task, index) => ({ workspaceId, taskId: task.id, position: index + 1 })) });
    for (const task of [...queueHead, newestDone[0]!]) await db().task.update({ where: { id: task.id }, data: { changedFiles: JSON.stringify(["src/shared.ts", `src/own-${task.id}.ts`]) } });
    const whole = (await board(`workspaceId=${workspaceId}`)).body;
    expect(whole.columns.DONE.items.slice(0, 2).map((item: { mergeQueue: unknown }) => item.mergeQueue)).toEqual([
      { position: 1, step: "waiting", reason: null },
      { position: 2, step: "waiting", reason: null },
    ]);
    expect(whole.columns.TODO.items[0].overlaps.map((overlap: { taskId: number }) => overlap.taskId).sort()).toEqual([queueHead[1]!.id, newestDone[0]!.id].sort());

    for (const filters of [`workspaceId=${workspaceId}`, `workspaceId=${workspaceId}&q=seed%20DONE%2012`, `workspaceId=${otherWorkspaceId}&backend=claude_code`]) {
      const { status, body } = await board(`${filters}&limit=20`);
      expect(status).toBe(200);
      const separate = (await counts(filters)).body;
      expect({ counts: body.counts, total: body.total }).toEqual(separate);
      const orders = { TODO: "queue", RUNNING: "started", DONE: "finished", FAILED: "finished" };
      for (const [column, sort] of Object.entries(orders)) {
        const page = (await get(`/api/tasks?${filters}&status=${column}&sort=${sort}&limit=20`)).body;
        expect(body.columns[column], `${filters} ${column}`).toEqual(page);
      }
    }
    // The next page of a column follows its cursor, as on the board when the user scrolls.
    const first = (await board(`workspaceId=${workspaceId}&limit=50`)).body.columns.DONE;
    expect(first.items).toHaveLength(50);
    const next = (await get(`/api/tasks?workspaceId=${workspaceId}&status=DONE&sort=finished&limit=50&cursor=${encodeURIComponent(first.nextCursor)}`)).body;
    expect(next.items[0].title).toBe("seed DONE 679");
    await db().mergeQueueEntry.deleteMany({ where: { workspaceId } });
    await db().task.updateMany({ where: { id: { in: [...queueHead, newestDone[0]!].map((task) => task.id) } }, data: { changedFiles: "[]" } });
    expect((await board("workspaceId=abc")).status).toBe(400);
    expect((await board(`workspaceId=${workspaceId}&limit=500`)).status).toBe(400);
    expect((await board(`workspaceId=${workspaceId}&status=DONE`)).status).toBe(400);
  });

  it("refuses a bad sort, filter or a cursor of another order with 400", async () => {
    expect((await get(`/api/tasks?sort=random`)).status).toBe(400);
    expect((await get(`/api/tasks?sort=finished&cursor=12`)).status).toBe(400);
    expect((await get(`/api/tasks?cursor=1700000000000_12`)).status).toBe(400);
    expect((await get(`/api/tasks?sort=queue&cursor=x_1`)).status).toBe(400);
    expect((await counts("backend=gemini")).status).toBe(400);
    expect((await counts("status=DONE")).status).toBe(400);
    expect((await counts("workspaceId=abc")).status).toBe(400);
  });
});

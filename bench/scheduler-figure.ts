/**
 * One scheduler pass in process: `new Scheduler(...).dispatchPass()` over a fresh, migrated
 * SQLite database holding `queued` TODO tasks, `waiting` of them on a provider whose quota is
 * EXHAUSTED until an hour from now, the rest on a workspace already at its concurrency limit (so
 * a pass starts nothing and every pass sees the same queue). The client is the server's own
 * Prisma client with query events on, so every statement of a pass is counted.
 *
 * Baseline: the queue read alone with better-sqlite3 (the same columns, the same order), the
 * floor of any pass that reads the whole queue.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Figure } from "./lib/results";
import { allowServerModules } from "./lib/inprocess";
import { ROOT } from "./lib/server";
import { median, now, percentile } from "./lib/stats";

export interface SchedulerSizes {
  queued: number;
  waiting: number;
  passes: number;
}

const isWrite = (sql: string) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql);

export async function schedulerPass(root: string, sizes: SchedulerSizes): Promise<Figure[]> {
  allowServerModules();
  const dir = path.join(root, "scheduler");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "db.sqlite");
  process.env.DATABASE_URL = `file:${file}`;
  process.env.AI_SLAVE_ROOT = ROOT;
  process.env.AI_SLAVE_TASKS_DIR = path.join(dir, "tasks");
  const { resetConfigForTests } = await import("@/server/config");
  const { disconnectDb } = await import("@/server/db/client");
  const { migrateDatabase } = await import("@/server/db/migrate");
  const { setSingleton } = await import("@/server/singleton");
  const { PrismaClient } = await import("@/server/db/generated/client");
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  const { Scheduler } = await import("@/server/scheduler/scheduler");
  resetConfigForTests();
  await disconnectDb();
  migrateDatabase(file, path.join(ROOT, "prisma", "migrations"));

  const statements: { query: string; ms: number }[] = [];
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }), log: [{ emit: "event", level: "query" }] });
  client.$on("query", (event) => statements.push({ query: event.query, ms: Number(event.duration) }));
  setSingleton("prisma", client);
  const scheduler = new Scheduler({ scanIntervalMs: 3_600_000, runnerMaxConcurrency: 10, execute: async () => undefined });
  try {
    const workspace = await client.workspace.create({ data: { name: "bench", type: "local", path: dir, baseBranch: "main", concurrencyLimit: 2 } });
    const base = Date.now() - 24 * 3600_000;
    const task = (index: number, status: "TODO" | "RUNNING") => {
      const held = status === "TODO" && index % Math.max(1, Math.floor(sizes.queued / sizes.waiting)) === 0 && index / Math.floor(sizes.queued / sizes.waiting) < sizes.waiting;
      return {
        workspaceId: workspace.id,
        number: index + 1,
        title: `bench ${status} ${index}`,
        prompt: `bench ${status} ${index}`,
        backend: held ? "claude_code" : "codex_cli",
        model: "m",
        permissionMode: "default",
        status,
        queuedAt: new Date(base + index * 1000),
        startedAt: status === "RUNNING" ? new Date() : null,
      };
    };
    // The workspace is full: its two RUNNING tasks hold both slots.
    await client.task.createMany({ data: [task(sizes.queued, "RUNNING"), task(sizes.queued + 1, "RUNNING")] });
    for (let start = 0; start < sizes.queued; start += 500) {
      await client.task.createMany({ data: Array.from({ length: Math.min(500, sizes.queued - start) }, (_, k) => task(start + k, "TODO")) });
    }
    await client.quotaState.create({ data: { provider: "anthropic", account: "default", state: "EXHAUSTED", resetsAt: new Date(Date.now() + 3600_000), lastEvent: "exhausted", note: "bench" } });
    const heldCount = await client.task.count({ where: { status: "TODO", backend: "claude_code" } });

    const pass = async () => {
      statements.length = 0;
      const at = now();
      const started = await scheduler.dispatchPass();
      const ms = now() - at;
      if (started.length > 0) throw new Error(`the pass started ${started.length} task(s); the workspace should be full`);
      return { ms, writes: statements.filter((entry) => isWrite(entry.query)).length, statements: statements.length, queryMs: statements.reduce((sum, entry) => sum + entry.ms, 0) };
    };
    const first = await pass();
    const reasons = await client.task.groupBy({ by: ["waitingReason"], where: { status: "TODO", waitingReason: { not: null } }, _count: { _all: true } });
    const withReason = reasons.reduce((sum, group) => sum + group._count._all, 0);
    if (withReason !== heldCount) throw new Error(`${withReason} tasks got a waiting reason; ${heldCount} wait for the quota reset`);
    const steady: Awaited<ReturnType<typeof pass>>[] = [];
    for (let index = 0; index < sizes.passes; index += 1) steady.push(await pass());

    // The worst case: the same queue on a workspace with free slots, every task in a retry's
    // backoff, so the whole queue is read and planned and nothing starts.
    await client.task.updateMany({ where: { status: "TODO" }, data: { notBefore: new Date(Date.now() + 3600_000) } });
    await client.workspace.update({ where: { id: workspace.id }, data: { concurrencyLimit: sizes.queued + 10 } });
    const openPasses: number[] = [];
    for (let index = 0; index < sizes.passes + 1; index += 1) {
      const at = now();
      const started = await scheduler.dispatchPass();
      if (started.length > 0) throw new Error(`the pass started ${started.length} task(s); every task should be in its backoff`);
      if (index > 0) openPasses.push(now() - at);
    }

    const sqlite = new Database(file, { readonly: true });
    const read = sqlite.prepare(`SELECT "id", "workspaceId", "backend", "nextRunKind", "reviewBackend", "notBefore", "waitingReason", "accountId", "fallbackBackend", "gpus" FROM "Task" WHERE "status" = 'TODO' ORDER BY "queuedAt" ASC, "id" ASC`);
    const raw: number[] = [];
    for (let index = 0; index < sizes.passes + 1; index += 1) {
      const at = now();
      read.all();
      if (index > 0) raw.push(now() - at);
    }
    sqlite.close();

    const ms = steady.map((entry) => entry.ms);
    const steadyWrites = Math.max(...steady.map((entry) => entry.writes));
    const label = `${sizes.queued.toLocaleString("en-US")} queued, ${heldCount} waiting for a quota reset`;
    return [
      {
        figure: `scheduler pass (${label})`,
        target: "< 20 ms",
        unit: "ms",
        measured: median(ms),
        baseline: median(raw),
        limit: { value: 20, better: "lower" },
        note: `median of ${sizes.passes} passes after the first (p90 ${percentile(ms, 90).toFixed(1)} ms; the first, which wrote the reasons, ${first.ms.toFixed(1)} ms), each ${steady[0]?.statements ?? 0} statements whose durations (Prisma's query events; some reads overlap, they run in parallel) sum to ${median(steady.map((entry) => entry.queryMs)).toFixed(1)} ms, in process on a fresh migrated SQLite file; the workspace is at its limit so nothing starts, and the pass reads only the ${heldCount} tasks whose provider is on hold, not the queue behind the full workspace (server/scheduler/scheduler.ts queuedTasks). Baseline: reading the whole queue with better-sqlite3 alone.`,
      },
      {
        figure: "scheduler pass, the same queue on a workspace with free slots, each task in a retry's backoff",
        target: "–",
        unit: "ms",
        measured: median(openPasses),
        baseline: median(raw),
        note: `median of ${sizes.passes} passes after the first (p90 ${percentile(openPasses, 90).toFixed(1)} ms): the worst case, every one of the ${sizes.queued.toLocaleString("en-US")} tasks read and planned because its workspace could take it, none due yet, so nothing starts. Baseline: reading the whole queue with better-sqlite3 alone.`,
      },
      {
        figure: `scheduler: writes for the ${heldCount} waiting tasks, first pass`,
        target: `≤ 1 per distinct reason (${reasons.length})`,
        unit: "statements",
        measured: first.writes,
        limit: { value: reasons.length + 1, better: "lower" },
        note: `write statements (Prisma query events) in the pass that gave ${withReason} tasks their reason: ${reasons.length} distinct reason(s).`,
      },
      {
        figure: "scheduler: writes in a pass where no reason changed",
        target: "0",
        unit: "statements",
        measured: steadyWrites,
        limit: { value: 1, better: "lower" },
        note: `the most write statements in any of the ${sizes.passes} later passes.`,
      },
    ];
  } finally {
    await scheduler.stop();
    await disconnectDb();
    await client.$disconnect().catch(() => undefined);
  }
}

/**
 * Placement over a pool of five SSH hosts on loopback: five sshd, each on its own address
 * (127.0.0.2 .. 127.0.0.6; Linux routes all of 127/8 to lo) and host key, each host with its own
 * clone of one repository, in one pool. The stand-in agent (tests/fixtures/stub-claude.mjs) runs
 * on the hosts over SSH like any agent. Tasks spread by free slots; each commit lands in the clone
 * of the host it ran on, and diff and merge go there; a host whose sshd stops gets nothing while
 * away, and every task finishes. A member whose minFreeMemoryMb is above its real free memory
 * receives nothing, and the waiting reason says so.
 *
 * In the reliability project: it runs alone, because fifteen agents over five sshd beside the
 * other integration files overload this 2-core machine's SSH connections.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { startSshd, type SshdFixture } from "../../fixtures/sshd";
import { createTask, createWorkspace, getTask, logText, runsOf, startEngine, stopEngine, taskAction, waitFor } from "../helpers/engine";
import { PROJECT_ROOT, git, jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

const STUB = path.join(PROJECT_ROOT, "tests", "fixtures", "stub-claude.mjs");
const ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"];
const TASKS = 30;
const SLOTS = 3;

interface Host {
  sshd: SshdFixture;
  clone: string;
  workspaceId: number;
}

let testDb: TestDb;
let origin: string;
const hosts: Host[] = [];
let poolId: number;

async function setSetting(key: string, value: unknown) {
  const { setSetting } = await import("@/server/settings");
  await setSetting(key, value);
}

async function createPool(name: string, workspaceIds: number[]): Promise<number> {
  const { POST } = await import("@/app/api/pools/route");
  const response = await POST(jsonRequest("/api/pools", "POST", { name, workspaceIds }));
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function sshWorkspace(sshd: SshdFixture, clone: string, extra: Record<string, unknown> = {}): Promise<number> {
  const id = await createWorkspace(clone, {
    name: `${sshd.host}-${path.basename(clone)}`, type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, baseBranch: "main",
    concurrencyLimit: SLOTS, ...extra,
  });
  await setSetting(`remoteCliPath.${id}.claude_code`, STUB);
  return id;
}

function cloneOrigin(name: string): string {
  const clone = path.join(testDb.dir, name);
  git(testDb.dir, "clone", "-q", origin, clone);
  git(clone, "config", "user.name", "Test");
  git(clone, "config", "user.email", "test@example.com");
  return clone;
}

const hostOf = (workspaceId: number | null) => hosts.find((host) => host.workspaceId === workspaceId);

/** The file on the task's branch in the host's clone; when it is not there, the runs' logs say why. */
async function committedOn(taskId: number, host: { clone: string; sshd: SshdFixture }, file: string): Promise<string> {
  try {
    return git(host.clone, "show", `task-${taskId}:${file}`);
  } catch (error) {
    const logs = await Promise.all((await runsOf(taskId)).map(async (run) => `--- run ${run.id}:\n${(await logText(run.id)).slice(-4000)}`));
    throw new Error(`task ${taskId} on ${host.sshd.host}: ${(error as Error).message}\n${logs.join("\n")}`);
  }
}

beforeAll(async () => {
  testDb = await useTestDatabase();
  Object.assign(process.env, { AI_SLAVE_MAX_CONCURRENCY: String(ADDRESSES.length * SLOTS), AI_SLAVE_SCAN_INTERVAL_MS: "1000" });
  (await import("@/server/config")).resetConfigForTests();
  origin = makeGitRepo(testDb.dir, "origin");
  const sshds = await Promise.all(ADDRESSES.map((address) => startSshd({ address })));
  await startEngine();
  for (const [at, sshd] of sshds.entries()) {
    const clone = cloneOrigin(`host-${at + 1}`);
    hosts.push({ sshd, clone, workspaceId: await sshWorkspace(sshd, clone) });
  }
  poolId = await createPool("loopback", hosts.map((host) => host.workspaceId));
}, 120_000);

afterAll(async () => {
  await stopEngine();
  for (const host of hosts) await host.sshd.stop();
  await testDb?.cleanup();
});

describe("a pool of five SSH hosts", () => {
  it("listens on five loopback addresses, one host key each", () => {
    expect(hosts.map((host) => host.sshd.host)).toEqual(ADDRESSES);
    expect(new Set(hosts.map((host) => host.sshd.hostKey)).size).toBe(ADDRESSES.length);
  });

  it(`spreads ${TASKS} tasks by free slots; a host whose sshd stops gets nothing while away; all finish on their hosts`, async () => {
    const started = Date.now();
    onTestFailed(() => console.log(hosts.map((host) => `--- sshd ${host.sshd.host}:\n${host.sshd.log().slice(-1500)}`).join("\n")));
    // A first wave fills two of each host's three slots: every member keeps one free.
    const first: number[] = [];
    for (let n = 1; n <= 10; n += 1) first.push(await createTask({ poolId, prompt: `Pool task ${n}. FILE:pool-${n}.txt=${n} SLEEP:15000`, backend: "claude_code" }));
    const placed = await waitFor(async () => {
      const tasks = await Promise.all(first.map(getTask));
      return tasks.every((task) => task.workspaceId !== null) ? tasks : null;
    }, 60_000, "the first wave to be placed");
    const firstWave = new Map<number, number>();
    for (const task of placed) firstWave.set(task.workspaceId!, (firstWave.get(task.workspaceId!) ?? 0) + 1);
    // The member with the most free slots first: each host gets some, none more than three. Not
    // exactly two each: a member whose probe is slower than the pass's wait (3 s, on a loaded
    // machine) is left out of that pass, and the task goes to the next member.
    const counts = hosts.map((host) => firstWave.get(host.workspaceId) ?? 0);
    expect(counts.every((count) => count >= 1 && count <= 3), `first wave per host: ${counts.join(", ")}`).toBe(true);

    // The last host goes away mid-run (its agents started, far from their end) while it has a
    // free slot; what is queued from now on goes to the others.
    await waitFor(async () => ((await Promise.all(first.map(runsOf))).every((runs) => runs[0]?.pid) ? true : null), 60_000, "the first wave's agents to start");
    const away = hosts[4]!;
    await away.sshd.interrupt();
    const awayAt = Date.now();
    // A member's probe answer is reused for MEMBER_PROBE_TTL_MS. A task queued sooner may still be
    // placed on it from an answer taken before it went away; it then waits to reconnect, holding a
    // runner slot, and with the runner full the others are passed over without a reason. That is
    // the likeliest reading of a CI run where this test waited 30 s for a reason (its first wave had
    // started within a second, so the answer was fresh); not reproduced. Past that time the next
    // pass probes the member again and finds it away.
    const { MEMBER_PROBE_TTL_MS } = await import("@/server/scheduler/admission");
    await new Promise((resolve) => setTimeout(resolve, MEMBER_PROBE_TTL_MS + 500));
    const rest: number[] = [];
    // What each task showed when the test failed: where it was placed, its status and reason, its runs.
    onTestFailed(async () => {
      const states = await Promise.all([...first, ...rest].map(async (id) => {
        const task = await getTask(id);
        const runs = await runsOf(id);
        return `#${id} ${task.status} on ${task.workspaceId ?? "-"} reason=${task.waitingReason ?? "-"} runs=${runs.map((run) => `${run.status}/${run.errorClass ?? ""}`).join(",")}`;
      }));
      console.log(`[pool] ${Math.round((Date.now() - awayAt) / 1000)} s after the host went away:\n${states.join("\n")}`);
    });
    for (let n = 11; n <= TASKS; n += 1) rest.push(await createTask({ poolId, prompt: `Pool task ${n}. FILE:pool-${n}.txt=${n} SLEEP:500`, backend: "claude_code" }));
    const waiting = await waitFor(async () => {
      const tasks = await Promise.all(rest.map(getTask));
      return tasks.find((task) => task.workspaceId === null && task.waitingReason) ?? null;
    }, 30_000, "a queued task to say why it waits");
    expect(waiting.waitingReason).toMatch(/^Waiting for a free slot in pool loopback|^Waiting for pool loopback: the members with a free slot do not answer \(.*127\.0\.0\.6/);
    await waitFor(async () => {
      const tasks = await Promise.all(rest.map(getTask));
      return tasks.every((task) => task.status === "DONE") ? true : null;
    }, 150_000, "the tasks queued while the host was away to finish");
    const whileAway = await Promise.all(rest.map(getTask));
    expect(whileAway.filter((task) => task.workspaceId === away.workspaceId).map((task) => task.id), "nothing went to the host that was away").toEqual([]);
    await away.sshd.resume();
    const resumedAfterSec = Math.round((Date.now() - awayAt) / 1000);

    const all = await waitFor(async () => {
      const tasks = await Promise.all([...first, ...rest].map(getTask));
      return tasks.every((task) => task.status === "DONE" || task.status === "FAILED") ? tasks : null;
    }, 120_000, "every task to finish");
    expect(all.filter((task) => task.status !== "DONE").map((task) => `${task.id}: ${task.failureReason}`)).toEqual([]);
    const perHost = hosts.map((host) => all.filter((task) => task.workspaceId === host.workspaceId).length);
    expect(perHost.reduce((sum, count) => sum + count, 0)).toBe(TASKS);
    // Every host that answered took part: its first-wave tasks and some of the rest. How many of
    // the rest each takes follows how fast its runs end (20 short tasks through the free slots).
    expect(perHost.slice(0, 4).every((count, index) => count >= (firstWave.get(hosts[index]!.workspaceId) ?? 0) + 1), `per host: ${perHost.join(", ")}`).toBe(true);

    // Each commit is in the clone of the host it ran on, and in no other; the run log says why it went there.
    for (const task of all) {
      const host = hostOf(task.workspaceId)!;
      const n = /Pool task (\d+)/.exec(task.prompt)![1]!;
      expect(await committedOn(task.id, host, `pool-${n}.txt`)).toBe(n);
      for (const other of hosts.filter((candidate) => candidate !== host)) {
        expect(() => git(other.clone, "rev-parse", "--verify", "-q", `refs/heads/task-${task.id}`)).toThrow();
      }
      const [run] = await runsOf(task.id);
      expect(await logText(run!.id)).toMatch(new RegExp(`Placed on ${host.sshd.host}-host-\\d \\(${host.sshd.host.replaceAll(".", "\\.")}\\) from pool loopback: [1-3]/3 slots used, [\\d.]+ GB free\\.`));
    }

    // Diff and merge go to the host the task ran on.
    for (const task of [all[0]!, all.find((candidate) => candidate.workspaceId === away.workspaceId)!]) {
      const host = hostOf(task.workspaceId)!;
      const n = /Pool task (\d+)/.exec(task.prompt)![1];
      const { GET } = await import("@/app/api/tasks/[id]/diff/route");
      const response = await GET(jsonRequest(`/api/tasks/${task.id}/diff`, "GET"), routeContext({ id: String(task.id) }));
      const diff = await response.json();
      expect(response.status, JSON.stringify(diff)).toBe(200);
      expect(diff.files).toEqual([{ path: `pool-${n}.txt`, status: "added", additions: 1, deletions: 0 }]);
      const merged = await taskAction(task.id, "merge");
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      expect(fs.readFileSync(path.join(host.clone, `pool-${n}.txt`), "utf8")).toBe(`${n}\n`);
      for (const other of hosts.filter((candidate) => candidate !== host)) expect(fs.existsSync(path.join(other.clone, `pool-${n}.txt`))).toBe(false);
    }
    console.log(`[pool] ${TASKS} tasks on 5 hosts in ${Math.round((Date.now() - started) / 1000)} s; per host ${perHost.join(", ")}; host 5 away ${resumedAfterSec} s`);
  }, 300_000);

  it("gives nothing to a member whose minFreeMemoryMb is above its free memory, and says so", async () => {
    const [low, ok] = [hosts[0]!, hosts[1]!];
    const lowId = await sshWorkspace(low.sshd, cloneOrigin("no-room"), { name: "no-room", minFreeMemoryMb: 16_000_000, concurrencyLimit: 2 });
    const okId = await sshWorkspace(ok.sshd, cloneOrigin("room"), { name: "room", minFreeMemoryMb: 1, concurrencyLimit: 1 });
    const pool = await createPool("memory", [lowId, okId]);
    const ids = [
      await createTask({ poolId: pool, prompt: "Memory 1. FILE:mem-1.txt=1 SLEEP:3000", backend: "claude_code" }),
      await createTask({ poolId: pool, prompt: "Memory 2. FILE:mem-2.txt=2 SLEEP:100", backend: "claude_code" }),
    ];
    const second = await waitFor(async () => {
      const task = await getTask(ids[1]!);
      return task.waitingReason?.includes("memory on") ? task : null;
    }, 30_000, "the second task's waiting reason");
    expect(second.workspaceId).toBeNull();
    expect(second.waitingReason).toBe(`Waiting for room in pool memory: memory on ${low.sshd.host}: an agent starts there once 16000000 MB are free.`);
    const done = await Promise.all(ids.map((id) => waitFor(async () => {
      const task = await getTask(id);
      return task.status === "DONE" || task.status === "FAILED" ? task : null;
    }, 60_000, `task ${id} to finish`)));
    expect(done.map((task) => [task.status, task.workspaceId])).toEqual([["DONE", okId], ["DONE", okId]]);
    expect(await runsOf(ids[1]!)).toHaveLength(1);
  }, 120_000);
});

/**
 * The MCP server on the real production server (`server.ts` over `.next/`, run `npx next build`
 * first): the SDK's own client with the token, a task created through create_task and followed to
 * DONE with get_task (the real Claude Code against the fake model server), refusal without the
 * token; and the real Claude Code given the MCP server on an agentMcp workspace creating subtasks.
 */
import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTestEnv, type AgentTestEnv } from "../../fixtures/agent-env";
import { startFakeModelServer, type FakeModelServer } from "../../fixtures/fake-model-server";
import { startRealServer, TEST_TOKEN, type RealServer } from "../../fixtures/real-server";
import { git, makeGitRepo, useTestDatabase, type TestDb } from "../helpers/test-env";

const MODEL = "claude-sonnet-4-5";

interface TaskBody {
  id: number;
  status: string;
  failureReason: string | null;
  parentTaskId: number | null;
  worktreePath: string | null;
  currentRunId: number | null;
}
type CallResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: Record<string, unknown> };

let testDb: TestDb;
let models: FakeModelServer;
let agentEnv: AgentTestEnv;
let server: RealServer;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function mcpClient(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "real-server-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), { requestInit: { headers } }));
  return client;
}

async function workspace(name: string, extra: Record<string, unknown> = {}): Promise<{ id: number; repo: string }> {
  const repo = makeGitRepo(testDb.dir, name);
  const response = await server.api<{ id: number }>("/api/workspaces", { method: "POST", body: { name, path: repo, concurrencyLimit: 4, ...extra } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.id, repo };
}

const task = async (id: number) => (await server.api<TaskBody>(`/api/tasks/${id}`)).body;
const logOf = async (runId: number) => JSON.stringify((await server.api(`/api/runs/${runId}/logs?limit=5000`)).body);

beforeAll(async () => {
  testDb = await useTestDatabase();
  models = await startFakeModelServer();
  agentEnv = agentTestEnv(models.url);
  server = await startRealServer({ dir: testDb.dir, env: agentEnv.env });
}, 120_000);

afterAll(async () => {
  await server?.stop("SIGTERM").catch(() => undefined);
  await models?.close();
  agentEnv?.cleanup();
  await testDb?.cleanup();
});

describe("MCP on the real server", () => {
  it("refuses a client without the token, or with a wrong one (401)", async () => {
    const bare = await fetch(`${server.url}/api/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(bare.status).toBe(401);
    expect((await bare.json()).error.code).toBe("unauthorized:token_missing");
    await expect(mcpClient({})).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/unauthorized:token_missing/) });
    await expect(mcpClient({ authorization: "Bearer not-the-token" })).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/unauthorized:token_invalid/) });
    await expect(mcpClient({ authorization: "Bearer ais_task_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })).rejects.toMatchObject({ code: 401 });
  });

  it("the SDK client lists the tools, creates a task with create_task and follows it to DONE with get_task", async () => {
    const { id: workspaceId, repo } = await workspace("mcp-client");
    const client = await mcpClient({ authorization: `Bearer ${TEST_TOKEN}` });
    expect((await client.listTools()).tools).toHaveLength(9);
    const created = (await client.callTool({ name: "create_task", arguments: { workspaceId, prompt: "Create the file. FILE:from-mcp.txt", model: MODEL } })) as CallResult;
    expect(created.isError, created.content[0]?.text).toBeFalsy();
    const id = (created.structuredContent!.task as { id: number }).id;
    const done = await until("the task to finish", async () => {
      const result = (await client.callTool({ name: "get_task", arguments: { taskId: id } })) as CallResult;
      const status = (result.structuredContent!.task as { status: string }).status;
      return status === "DONE" || status === "FAILED" ? result : null;
    });
    expect(done.structuredContent).toMatchObject({ task: { id, status: "DONE", failureReason: null }, diff: { fileCount: 1, files: [expect.objectContaining({ path: "from-mcp.txt", status: "added" })] } });
    expect((done.structuredContent!.log as { lines: string[] }).lines.join("\n")).toMatch(/tool Write/);
    expect(done.content[0]!.text).toMatch(/\[DONE\][\s\S]*Diff: 1 file/);
    const diff = (await client.callTool({ name: "get_diff", arguments: { taskId: id, maxChars: 40 } })) as CallResult;
    expect(diff.structuredContent).toMatchObject({ offset: 0, nextOffset: 40 });
    expect((diff.structuredContent!.note as string)).toMatch(/offset 40/);
    expect(git(repo, "show", `task-${id}:from-mcp.txt`)).toContain("hello from fake model");
    await client.close();
  }, 180_000);

  it("the real Claude Code given the MCP server (agentMcp) creates subtasks the API lists with their parent; the limit and depth 1 hold", async () => {
    const { id: workspaceId } = await workspace("mcp-agents", { agentMcp: true, maxSubtasks: 2 });
    const created = await server.api<TaskBody>("/api/tasks", { method: "POST", body: { workspaceId, prompt: "Split the work. SUBTASKS:3", backend: "claude_code", model: MODEL } });
    expect(created.status).toBe(201);
    const parentId = created.body.id;
    const parent = await until("the parent to finish", async () => {
      const current = await task(parentId);
      return current.status === "DONE" || current.status === "FAILED" ? current : null;
    }, 150_000);
    expect([parent.status, parent.failureReason]).toEqual(["DONE", null]);
    const listed = (await server.api<{ items: TaskBody[] }>(`/api/tasks?workspaceId=${workspaceId}&limit=100`)).body.items;
    const children = listed.filter((item) => item.parentTaskId === parentId);
    expect(children).toHaveLength(2);
    expect(listed).toHaveLength(3);
    const byParent = (await server.api<{ items: TaskBody[] }>(`/api/tasks?parentTaskId=${parentId}`)).body.items;
    expect(byParent.map((item) => item.id).sort()).toEqual(children.map((item) => item.id).sort());
    // The third call was refused: the limit, in the parent's log as a tool error.
    expect(await logOf(parent.currentRunId!)).toMatch(/subtask_limit/);
    // Each subtask ran (with the MCP server too) and its own create_task was refused: depth 1.
    for (const child of children) {
      const finished = await until(`subtask ${child.id} to finish`, async () => {
        const current = await task(child.id);
        return current.status === "DONE" || current.status === "FAILED" ? current : null;
      }, 150_000);
      expect(finished.status).toBe("DONE");
      expect(await logOf(finished.currentRunId!)).toMatch(/subtask_depth/);
    }
    expect((await server.api<{ items: TaskBody[] }>(`/api/tasks?workspaceId=${workspaceId}&limit=100`)).body.items).toHaveLength(3);
    // The run's token sits in a 0600 file in the run folder, and in no log or command line.
    const runDir = path.join(path.dirname(parent.worktreePath!), ".ai-slave", `task-${parentId}`);
    const config = fs.readdirSync(runDir).find((name) => name.startsWith("mcp-"))!;
    expect(fs.statSync(path.join(runDir, config)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(runDir, config), "utf8")).toMatch(/"Authorization":"Bearer ais_task_/);
    expect(await logOf(parent.currentRunId!)).not.toMatch(/ais_task_/);
    expect(server.output()).not.toMatch(/ais_task_/);
    // Its task has finished: the token is no good any more.
    const token = /Bearer (ais_task_[\w-]+)/.exec(fs.readFileSync(path.join(runDir, config), "utf8"))![1]!;
    await expect(mcpClient({ authorization: `Bearer ${token}` })).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/token lasts while its task runs/) });
  }, 300_000);
});

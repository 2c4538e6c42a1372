import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTokenHash, newAgentToken } from "@/server/auth/agent-token";
import { AUTHENTICATED_HEADER } from "@/server/http/gate";
import { git, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

/**
 * The MCP server's tools through the SDK's own client, in process: the client's fetch goes to
 * the route handler (so the contract hook checks each answer). The real server, the token and a
 * task run to DONE: tests/integration/mcp/.
 */
let testDb: TestDb;
let client: Client;
let workspaceId: number;

type CallResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: Record<string, unknown> };
const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallResult;
const taskCount = async () => (await import("@/server/db/client")).db().task.count();

beforeAll(async () => {
  testDb = await useTestDatabase();
  const { createWorkspace } = await import("@/server/workspaces/service");
  const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
  workspaceId = (await createWorkspace(workspaceCreateSchema.parse({ name: "mcp-ws", path: makeGitRepo(testDb.dir) }))).id;
  client = await connect({ [AUTHENTICATED_HEADER]: "1" });
});

/** An SDK client whose requests go to the route handler, with the headers the gate would pass on. */
async function connect(gateHeaders: Record<string, string>): Promise<Client> {
  const route = await import("@/app/api/mcp/route");
  const transport = new StreamableHTTPClientTransport(new URL("http://127.0.0.1:3000/api/mcp"), {
    fetch: async (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set("host", "127.0.0.1:3000");
      for (const [name, value] of Object.entries(gateHeaders)) headers.set(name, value);
      const method = (init?.method ?? "GET") as "GET" | "POST" | "DELETE";
      return route[method](new Request(url, { ...init, headers }), routeContext());
    },
  });
  const connected = new Client({ name: "test", version: "1.0.0" });
  await connected.connect(transport);
  return connected;
}
afterAll(async () => {
  await client?.close();
  await testDb.cleanup();
});

describe("MCP tools", () => {
  it("lists the nine tools with input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ["cancel_task", "continue_task", "create_task", "get_diff", "get_task", "list_tasks", "list_workspaces", "queue_merge", "retry_task"].sort(),
    );
    const create = tools.find((tool) => tool.name === "create_task")!;
    expect(create.inputSchema.required).toEqual(["prompt"]);
    expect(tools.find((tool) => tool.name === "queue_merge")!.description).toMatch(/merge queue/i);
  });

  it("lists workspaces, creates a task, reads it back and lists it", async () => {
    const workspaces = await call("list_workspaces");
    expect(workspaces.structuredContent?.items).toEqual([expect.objectContaining({ id: workspaceId, name: "mcp-ws" })]);
    const created = await call("create_task", { workspaceId, prompt: "Add a CHANGELOG\nwith one entry" });
    expect(created.isError).toBeFalsy();
    const task = created.structuredContent!.task as { id: number; status: string; backend: string; title: string };
    expect(task).toMatchObject({ status: "TODO", backend: "claude_code", title: "Add a CHANGELOG" });
    expect(created.content[0]!.text).toContain(`#${task.id}`);
    const got = await call("get_task", { taskId: task.id });
    expect(got.structuredContent).toMatchObject({ task: { id: task.id, status: "TODO" }, log: null, diff: null });
    expect(got.content[0]!.text).toContain("No branch yet.");
    const listed = await call("list_tasks", { workspaceId, status: "TODO" });
    expect((listed.structuredContent!.items as { id: number }[]).map((item) => item.id)).toEqual([task.id]);
    const cancelled = await call("cancel_task", { taskId: task.id });
    expect(cancelled.structuredContent).toMatchObject({ task: { status: "FAILED" } });
    expect((await call("retry_task", { taskId: task.id })).structuredContent).toMatchObject({ task: { status: "TODO" } });
  });

  it("queue_merge puts a DONE task in the workspace's merge queue instead of merging it", async () => {
    const { createWorkspace } = await import("@/server/workspaces/service");
    const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
    const repo = makeGitRepo(testDb.dir, "queue");
    const queueWorkspace = (await createWorkspace(workspaceCreateSchema.parse({ name: "queue-ws", path: repo }))).id;
    const database = (await import("@/server/db/client")).db();
    const task = await database.task.create({
      data: { workspaceId: queueWorkspace, number: 1, title: "t", prompt: "p", backend: "claude_code", model: "sonnet", permissionMode: "acceptEdits", status: "DONE", worktreePath: repo },
    });
    git(repo, "checkout", "-q", "-b", `task-${task.id}`);
    git(repo, "commit", "-q", "--allow-empty", "-m", "work");
    git(repo, "checkout", "-q", "main");
    const base = git(repo, "rev-parse", "main");
    const queued = await call("queue_merge", { taskId: task.id, deleteBranch: true });
    expect(queued.isError, queued.content[0]?.text).toBeFalsy();
    expect(queued.structuredContent!.task).toMatchObject({ id: task.id, mergedAt: null, mergeQueue: { position: 1, step: "waiting", reason: null } });
    expect(queued.content[0]!.text).toMatch(/Queued for merging \(position 1, step waiting\)/);
    // Nothing merged: the base is where it was; the queue's worker (not started here) lands it.
    expect(git(repo, "rev-parse", "main")).toBe(base);
    const { GET } = await import("@/app/api/workspaces/[id]/merge-queue/route");
    const queue = await (await GET(new Request(`http://127.0.0.1:3000/api/workspaces/${queueWorkspace}/merge-queue`), routeContext({ id: String(queueWorkspace) }))).json();
    expect(queue.order).toEqual([expect.objectContaining({ taskId: task.id, position: 1, state: "queued", step: "waiting" })]);
    expect(await database.mergeQueueEntry.findFirst({ where: { taskId: task.id }, select: { deleteBranch: true } })).toEqual({ deleteBranch: true });
    const again = await call("queue_merge", { taskId: task.id });
    expect(again.isError).toBe(true);
    expect(again.content[0]!.text).toMatch(/conflict:/);
  });

  it.each([
    ["an unknown workspace", "create_task", { workspaceId: 9999, prompt: "x" }, /workspace/i],
    ["no workspace", "create_task", { prompt: "x" }, /workspaceId/],
    ["a missing prompt", "create_task", { workspaceId: 1 }, /prompt/i],
    ["an empty prompt", "create_task", { workspaceId: 1, prompt: "  " }, /empty/i],
    ["a huge prompt", "create_task", { workspaceId: 1, prompt: "x".repeat(200 * 1024) }, /100 KB/],
    ["an unknown backend", "create_task", { workspaceId: 1, prompt: "x", backend: "gemini" }, /backend/i],
    ["another backend's permission mode", "create_task", { workspaceId: 1, prompt: "x", permissionMode: "read-only" }, /permission mode/i],
    ["a task id of the wrong type", "get_task", { taskId: "one" }, /taskId/],
    ["an unknown task", "get_task", { taskId: 9999 }, /not_found:task/],
    ["a diff of a task that has not run", "get_diff", { taskId: 1 }, /no_branch/],
    ["a merge of a task that has not run", "queue_merge", { taskId: 1 }, /conflict/],
    ["continuing a queued task", "continue_task", { taskId: 1, prompt: "more" }, /conflict:task_not_finished/],
  ])("answers %s with a tool error and creates nothing", async (_label, name, args, message) => {
    const before = await taskCount();
    const result = await call(name, args);
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(message);
    expect(await taskCount()).toBe(before);
  });

  it("an unknown tool is an error result, and the server keeps answering", async () => {
    const result = await call("drop_database");
    expect(result.isError).toBe(true);
    expect((await client.listTools()).tools.length).toBe(9);
  });
});

describe("MCP tools for a task's agent (agentMcp)", () => {
  const db = async () => (await import("@/server/db/client")).db();

  /** A RUNNING task holding an agent token, as a launch on an agentMcp workspace leaves it. */
  async function runningTaskWithToken(workspace: number, parentTaskId: number | null = null): Promise<{ id: number; token: string }> {
    const token = newAgentToken();
    const { createTask } = await import("@/server/tasks/service");
    const task = await createTask({ workspaceId: workspace, prompt: "parent", backend: "claude_code" }, parentTaskId ? { parentTaskId } : {});
    await (await db()).task.update({ where: { id: task.id }, data: { status: "RUNNING", mcpTokenHash: agentTokenHash(token) } });
    return { id: task.id, token };
  }

  it("offers create_task and get_task only; subtasks record their parent, stay on the workspace and stop at maxSubtasks", async () => {
    await (await db()).workspace.update({ where: { id: workspaceId }, data: { agentMcp: true, maxSubtasks: 2 } });
    const parent = await runningTaskWithToken(workspaceId);
    const agent = await connect({ authorization: `Bearer ${parent.token}` });
    expect((await agent.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["create_task", "get_task"]);
    const made: number[] = [];
    for (const n of [1, 2]) {
      const result = (await agent.callTool({ name: "create_task", arguments: { prompt: `part ${n}` } })) as CallResult;
      expect(result.isError, result.content[0]?.text).toBeFalsy();
      made.push((result.structuredContent!.task as { id: number; parentTaskId: number; workspaceId: number }).id);
      expect(result.structuredContent!.task).toMatchObject({ parentTaskId: parent.id, workspaceId });
    }
    const before = await taskCount();
    const third = (await agent.callTool({ name: "create_task", arguments: { prompt: "part 3" } })) as CallResult;
    expect(third.isError).toBe(true);
    expect(third.content[0]!.text).toMatch(/subtask_limit.*maxSubtasks 2/);
    const elsewhere = (await agent.callTool({ name: "create_task", arguments: { prompt: "x", workspaceId: workspaceId + 1 } })) as CallResult;
    expect(elsewhere.content[0]!.text).toMatch(/own workspace/);
    expect(await taskCount()).toBe(before);
    const { GET } = await import("@/app/api/tasks/[id]/route");
    const listed = await (await GET(new Request(`http://127.0.0.1:3000/api/tasks/${made[0]}`), routeContext({ id: String(made[0]) }))).json();
    expect(listed).toMatchObject({ id: made[0], parentTaskId: parent.id, status: "TODO" });
    const children = await call("list_tasks", { parentTaskId: parent.id });
    expect((children.structuredContent!.items as { id: number }[]).map((item) => item.id).sort()).toEqual([...made].sort());
    const read = (await agent.callTool({ name: "get_task", arguments: { taskId: made[1] } })) as CallResult;
    expect(read.structuredContent).toMatchObject({ task: { id: made[1], parentTaskId: parent.id } });
    await agent.close();
  });

  it("a subtask's agent may not create more (depth 1), nor read another workspace's tasks", async () => {
    const { createWorkspace } = await import("@/server/workspaces/service");
    const { workspaceCreateSchema } = await import("@/lib/schemas/workspace");
    const other = (await createWorkspace(workspaceCreateSchema.parse({ name: "other", path: makeGitRepo(testDb.dir, "other") }))).id;
    const foreign = await runningTaskWithToken(other);
    const parent = await runningTaskWithToken(workspaceId);
    const child = await runningTaskWithToken(workspaceId, parent.id);
    const agent = await connect({ authorization: `Bearer ${child.token}` });
    const before = await taskCount();
    const result = (await agent.callTool({ name: "create_task", arguments: { prompt: "grandchild" } })) as CallResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/subtask_depth/);
    expect(await taskCount()).toBe(before);
    const peek = (await agent.callTool({ name: "get_task", arguments: { taskId: foreign.id } })) as CallResult;
    expect(peek.isError).toBe(true);
    expect(peek.content[0]!.text).toMatch(/another workspace/);
    await agent.close();
  });

  it("refuses an agent token whose task no longer runs, or an unknown one, with 401", async () => {
    const parent = await runningTaskWithToken(workspaceId);
    await (await db()).task.update({ where: { id: parent.id }, data: { status: "DONE" } });
    await expect(connect({ authorization: `Bearer ${parent.token}` })).rejects.toThrow(/401|token/i);
    await expect(connect({ authorization: `Bearer ${newAgentToken()}` })).rejects.toThrow(/401|token/i);
  });
});

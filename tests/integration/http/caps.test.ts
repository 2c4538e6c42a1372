/**
 * Caps with a clear answer and nothing changed: request bodies (1 MB, also without a
 * Content-Length, while they stream), bad UTF-8, 200 SSE streams, 20 terminals. Real routes, a
 * real SQLite file, real tmux for the terminals.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createTask, createWorkspace } from "../helpers/engine";
import { jsonRequest, makeGitRepo, routeContext, useTestDatabase, type TestDb } from "../helpers/test-env";

let testDb: TestDb;
const tmuxDir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-caps-tmux-"));

beforeAll(async () => {
  testDb = await useTestDatabase();
  process.env.TMUX_TMPDIR = tmuxDir;
});

afterAll(async () => {
  try {
    execFileSync("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: tmuxDir }, stdio: "pipe" });
  } catch {
    // No tmux server was started.
  }
  fs.rmSync(tmuxDir, { recursive: true, force: true });
  await testDb?.cleanup();
});

function streamingRequest(url: string, parts: Uint8Array[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
  return new Request(`http://127.0.0.1:3000${url}`, { method: "POST", headers: { host: "127.0.0.1:3000", "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
}

async function workspaceCount(): Promise<number> {
  const { db } = await import("@/server/db/client");
  return db().workspace.count();
}

describe("request bodies", () => {
  it("are refused with 413 past 1 MB while they stream, without a Content-Length, and change nothing", async () => {
    const { POST } = await import("@/app/api/workspaces/route");
    const chunk = new TextEncoder().encode(`{"name":"big","path":"/tmp","x":"${"a".repeat(600 * 1024)}`);
    const response = await POST(streamingRequest("/api/workspaces", [chunk, chunk, new TextEncoder().encode('"}')]));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: "too_large:body", message: "The request body is over 1 MB." } });
    const declared = await POST(jsonRequest("/api/workspaces", "POST", "{}", { "content-length": String(5 * 1024 * 1024) }));
    expect(declared.status).toBe(413);
    expect(await workspaceCount()).toBe(0);
  });

  it("that are not UTF-8 get a 400 saying so", async () => {
    const { POST } = await import("@/app/api/workspaces/route");
    const response = await POST(streamingRequest("/api/workspaces", [new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("bad_request:encoding");
    expect(await workspaceCount()).toBe(0);
  });
});

describe("SSE streams", () => {
  it("are at most 200 at once: the next gets 429 with a message, and a closed one frees its place", async () => {
    const { GET } = await import("@/app/api/events/route");
    const { MAX_SSE_CONNECTIONS, openSseCount } = await import("@/server/events/sse");
    const open: { abort: AbortController; body: ReadableStreamDefaultReader<Uint8Array> }[] = [];
    for (let index = 0; index < MAX_SSE_CONNECTIONS; index += 1) {
      const abort = new AbortController();
      const response = await GET(new Request("http://127.0.0.1:3000/api/events", { signal: abort.signal, headers: { host: "127.0.0.1:3000" } }));
      expect(response.status).toBe(200);
      open.push({ abort, body: response.body!.getReader() });
    }
    expect(openSseCount()).toBe(200);
    const refused = await GET(jsonRequest("/api/events", "GET"));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: { code: "too_many:sse", message: expect.stringContaining("200 event streams are open already") } });
    open[0]!.abort.abort();
    await open[0]!.body.cancel();
    expect(openSseCount()).toBe(199);
    const again = await GET(jsonRequest("/api/events", "GET"));
    expect(again.status).toBe(200);
    await again.body!.cancel();
    for (const stream of open.slice(1)) {
      stream.abort.abort();
      await stream.body.cancel();
    }
    expect(openSseCount()).toBe(0);
  });
});

describe("terminals", () => {
  let http: Server;
  let port: number;

  beforeAll(async () => {
    const { attachUpgradeHandler } = await import("@/server/http/upgrade");
    const { loadConfig } = await import("@/server/config");
    const { createGate } = await import("@/server/http/gate");
    const { createTokenSource } = await import("@/server/auth/token");
    const gate = createGate({ bindHost: "127.0.0.1", allowedHosts: [], tokens: createTokenSource({ file: "", authOff: true }) });
    http = createServer((_request, response) => response.writeHead(404).end());
    attachUpgradeHandler(http, (_request, socket) => void socket.destroy(), loadConfig(), gate);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    port = (http.address() as AddressInfo).port;
  });

  afterAll(() => http?.close());

  function open(taskId: number): Promise<{ socket: WebSocket; status: number | null; body: string }> {
    return new Promise((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/tasks/${taskId}/terminal`);
      socket.once("message", () => resolve({ socket, status: null, body: "" }));
      socket.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk));
        response.on("end", () => resolve({ socket, status: response.statusCode ?? 0, body }));
      });
    });
  }

  it("are at most 20 at once: the next gets 429 with a message", async () => {
    const workspaceId = await createWorkspace(makeGitRepo(testDb.dir));
    const taskId = await createTask({ workspaceId, prompt: "terminal cap", backend: "claude_code" });
    const { GET } = await import("@/app/api/tasks/[id]/terminal/route");
    expect((await GET(jsonRequest(`/api/tasks/${taskId}/terminal`, "GET"), routeContext({ id: String(taskId) }))).status).toBe(200);
    const { MAX_TERMINALS, openTerminalCount } = await import("@/server/terminal/register");
    const sockets: WebSocket[] = [];
    for (let index = 0; index < MAX_TERMINALS; index += 1) {
      const terminal = await open(taskId);
      expect(terminal.status).toBeNull();
      sockets.push(terminal.socket);
    }
    const refused = await open(taskId);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("20 terminals are open already");
    const closed = new Promise((resolve) => sockets[0]!.once("close", resolve));
    sockets[0]!.close();
    await closed;
    await expect.poll(() => openTerminalCount()).toBe(MAX_TERMINALS - 1);
    const again = await open(taskId);
    expect(again.status).toBeNull();
    for (const socket of [...sockets.slice(1), again.socket]) socket.close();
    await expect.poll(() => openTerminalCount(), { timeout: 10_000 }).toBe(0);
  }, 90_000);
});

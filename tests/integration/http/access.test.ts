/**
 * The access rules, against the real gate and upgrade hook of server.ts on a real HTTP server
 * (Next's part replaced by a small handler that answers JSON and holds an SSE stream open), with
 * the real token file and `npm run token` script.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createTokenSource, readTokenFile } from "@/server/auth/token";
import { createGate } from "@/server/http/gate";
import { attachUpgradeHandler } from "@/server/http/upgrade";
import { loadConfig } from "@/server/config";
import { setTerminalEndpoint } from "@/server/terminal/endpoint-registry";
import { PROJECT_ROOT } from "../helpers/test-env";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-access-"));
const tokenFile = path.join(dir, "token");
let server: Server;
let base: string;
let host: string;
let token: string;

function startServer(): Promise<Server> {
  const tokens = createTokenSource({ file: tokenFile });
  setInterval(() => tokens.current(), 200).unref();
  const gate = createGate({ bindHost: "127.0.0.1", allowedHosts: ["proxy.example"], tokens });
  const http = createServer((request, response) => {
    if (gate.handle(request, response)) return;
    if (request.url?.startsWith("/api/stream")) {
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      response.write(": open\n\n");
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ ok: true, authenticated: request.headers["x-ai-slave-authenticated"] ?? null }));
  });
  const sockets = new WebSocketServer({ noServer: true });
  setTerminalEndpoint((request, socket, head) => sockets.handleUpgrade(request, socket, head, (ws) => ws.send("ready")));
  attachUpgradeHandler(http, (_request, socket) => void socket.destroy(), loadConfig(), gate);
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(http)));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${pathname}`, { method: options.method ?? "GET", headers: { host, ...options.headers } }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

async function loginCookie(): Promise<string> {
  const answer = await send(`/login?token=${encodeURIComponent(token)}`);
  expect(answer.status).toBe(303);
  return answer.headers["set-cookie"]![0]!.split(";")[0]!;
}

/** Opens an SSE-like stream; resolves once its first bytes arrived, with a promise of its end. */
function openStream(headers: Record<string, string>): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/api/stream`, { headers: { host, ...headers } }, (response) => {
      const ended = new Promise<void>((done) => {
        response.on("close", () => done());
        response.on("error", () => done());
      });
      response.once("data", () => resolve({ ended }));
    });
    request.on("error", reject);
    request.end();
  });
}

function openSocket(headers: Record<string, string>): Promise<{ socket: WebSocket; status: number | null; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${base.replace("http", "ws")}/api/tasks/1/terminal`, { headers: { host, ...headers } });
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("message", () => resolve({ socket, status: null, closed }));
    socket.once("unexpected-response", (_request, response) => resolve({ socket, status: response.statusCode ?? 0, closed }));
    socket.once("error", () => resolve({ socket, status: -1, closed }));
  });
}

function runTokenScript(...args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", "scripts/token.ts", ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`, AI_SLAVE_TOKEN: "", AI_SLAVE_AUTH: "" },
  }).toString();
}

beforeAll(async () => {
  server = await startServer();
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  host = `127.0.0.1:${port}`;
  token = readTokenFile(tokenFile)!;
});

afterAll(() => {
  server?.close();
  server?.closeAllConnections();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the token", () => {
  it("is generated on first start: 32 random bytes in a file of mode 0600, printed by npm run token", () => {
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    const printed = runTokenScript();
    expect(printed.split("\n")[0]).toBe(token);
    expect(printed).toContain(`http://127.0.0.1:3000/login?token=${token}`);
  });

  it("refuses a request without it with 401 and a clear JSON error; a page goes to /login and back", async () => {
    const answer = await send("/api/tasks");
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: "unauthorized:token_missing", message: expect.stringContaining("/login") } });
    expect(answer.headers["www-authenticate"]).toContain("Bearer");
    const page = await send("/tasks/7?tab=logs", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(`/login?next=${encodeURIComponent("/tasks/7?tab=logs")}`);
    // Followed from another site, the browser withholds the Strict cookie: the page reloads itself
    // once (same-site then, with the cookie), showing nothing.
    const fromLink = await send("/tasks/7", { headers: { accept: "text/html", "sec-fetch-site": "cross-site" } });
    expect(fromLink.status).toBe(200);
    expect(fromLink.body).toContain('<meta http-equiv="refresh" content="0">');
    expect(fromLink.body).not.toContain("task");
    // Static assets and Next's data requests are behind the token too.
    expect((await send("/_next/static/chunks/main.js")).status).toBe(401);
  });

  it("refuses a wrong token, in the header or as a cookie", async () => {
    const wrong = await send("/api/tasks", { headers: bearer(`${token}x`) });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe("unauthorized:token_invalid");
    expect((await send("/api/tasks", { headers: bearer("") })).status).toBe(401);
    expect((await send("/api/tasks", { headers: { cookie: "ai_slave_session=v1.1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } })).status).toBe(401);
    expect((await send("/api/tasks", { headers: { cookie: `ai_slave_session=${token}` } })).status).toBe(401);
  });

  it("lets scripts in with Authorization: Bearer, and marks the request authenticated for the health route", async () => {
    const answer = await send("/api/tasks", { headers: bearer(token) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, authenticated: "1" });
    // /api/health passes without the token, but a forged marker header is removed.
    const health = await send("/api/health", { headers: { "x-ai-slave-authenticated": "1" } });
    expect(JSON.parse(health.body)).toEqual({ ok: true, authenticated: null });
  });

  it("passes a task's agent token on to /api/mcp alone, unmarked (the route checks it), and nowhere else", async () => {
    const agentToken = `ais_task_${"A".repeat(43)}`;
    const mcp = await send("/api/mcp", { method: "POST", headers: { ...bearer(agentToken), "x-ai-slave-authenticated": "1" } });
    expect(mcp.status).toBe(200);
    expect(JSON.parse(mcp.body)).toEqual({ ok: true, authenticated: null });
    for (const pathname of ["/api/tasks", "/api/mcp/x", "/api/mcpx"]) expect((await send(pathname, { headers: bearer(agentToken) })).status, pathname).toBe(401);
    // Not the agent token's shape: refused at the gate as any wrong token.
    expect((await send("/api/mcp", { method: "POST", headers: bearer(`ais_task_${"A".repeat(42)}`) })).status).toBe(401);
    expect((await send("/api/mcp", { method: "POST", headers: bearer(`${agentToken}x`) })).status).toBe(401);
  });

  it("exchanges the token for an HttpOnly SameSite=Strict session cookie on the login page", async () => {
    const form = await send("/login?next=/usage");
    expect(form.status).toBe(200);
    expect(form.body).toContain('<form method="post" action="/login">');
    expect(form.body).toContain('value="/usage"');
    expect(form.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    const wrong = await send("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "token=nope&next=%2Fusage" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain("That token is not valid");
    const posted = await send("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${encodeURIComponent(token)}&next=%2Fusage` });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe("/usage");
    const setCookie = posted.headers["set-cookie"]![0]!;
    expect(setCookie).toMatch(/^ai_slave_session=v1\.\d+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(";")[0]!;
    expect((await send("/api/tasks", { headers: { cookie } })).status).toBe(200);
    // `next` only ever leads to this site.
    for (const next of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      expect((await send(`/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`)).headers.location).toBe("/");
    }
  });

  it("keeps sessions across a restart (a new gate over the same token file)", async () => {
    const cookie = await loginCookie();
    const second = await startServer();
    const port = (second.address() as AddressInfo).port;
    const answer = await new Promise<number>((resolve) => {
      httpRequest(`http://127.0.0.1:${port}/api/tasks`, { headers: { cookie } }, (response) => resolve(response.statusCode!)).end();
    });
    second.close();
    expect(answer).toBe(200);
  });
});

describe("the Host header", () => {
  it("is checked on reads, streams and WebSocket upgrades, even with a valid token", async () => {
    const foreign = { host: `evil.example:${new URL(base).port}`, ...bearer(token) };
    const read = await send("/api/workspaces", { headers: foreign });
    expect(read.status).toBe(403);
    expect(JSON.parse(read.body).error).toEqual({ code: "forbidden:host", message: expect.stringContaining("AI_SLAVE_ALLOWED_HOSTS") });
    expect((await send("/api/stream", { headers: foreign })).status).toBe(403);
    expect((await send("/login", { headers: { host: "evil.example" } })).status).toBe(403);
    expect((await openSocket(foreign)).status).toBe(403);
    // AI_SLAVE_ALLOWED_HOSTS names a reverse proxy's public name; the port does not matter.
    expect((await send("/api/workspaces", { headers: { host: "proxy.example:443", ...bearer(token) } })).status).toBe(200);
    expect((await send("/api/workspaces", { headers: { host: "localhost:1", ...bearer(token) } })).status).toBe(200);
  });

  it("is required", async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => socket.write(`GET /api/tasks HTTP/1.0\r\nAuthorization: Bearer ${token}\r\n\r\n`));
      let text = "";
      socket.on("data", (chunk) => (text += chunk));
      socket.on("close", () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 403/);
    expect(raw).toContain("no Host header");
  });
});

describe("WebSocket upgrades", () => {
  it("need the token (cookie or Bearer) and a same-site Origin", async () => {
    expect((await openSocket({})).status).toBe(401);
    expect((await openSocket(bearer("wrong"))).status).toBe(401);
    const cookie = await loginCookie();
    const viaCookie = await openSocket({ cookie, origin: base });
    expect(viaCookie.status).toBeNull();
    viaCookie.socket.close();
    expect((await openSocket({ cookie, origin: "http://evil.example" })).status).toBe(403);
    const viaBearer = await openSocket(bearer(token));
    expect(viaBearer.status).toBeNull();
    viaBearer.socket.close();
  });
});

describe("request bodies", () => {
  it("over 1 MB by Content-Length are refused with 413 before anything reads them", async () => {
    const answer = await send("/api/tasks", { method: "POST", headers: { ...bearer(token), "content-length": String(2 * 1024 * 1024) } });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe("too_large:body");
  });

  it("on a DELETE are refused with 400 before it reaches a route, by Content-Length or chunked", async () => {
    for (const headers of [{ "content-length": "2" }, { "transfer-encoding": "chunked" }] as Record<string, string>[]) {
      const answer = await send("/api/workspaces/1", { method: "DELETE", headers: { ...bearer(token), "content-type": "application/json", ...headers }, body: "{}" });
      expect([answer.status, JSON.parse(answer.body).error.code], JSON.stringify(headers)).toEqual([400, "bad_request:body"]);
    }
    expect((await send("/api/workspaces/1", { method: "DELETE", headers: bearer(token) })).status).toBe(200);
  });
});

describe("rotation (npm run token -- --rotate)", () => {
  it("ends every session, open stream and terminal made with the old token", async () => {
    const cookie = await loginCookie();
    const stream = await openStream({ cookie });
    const terminal = await openSocket(bearer(token));
    expect(terminal.status).toBeNull();
    const printed = runTokenScript("--rotate");
    const rotated = readTokenFile(tokenFile)!;
    expect(rotated).not.toBe(token);
    expect(printed).toContain(rotated);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    // The open connections end without any new request (the server checks every 200 ms here).
    await Promise.all([stream.ended, terminal.closed]);
    expect((await send("/api/tasks", { headers: { cookie } })).status).toBe(401);
    expect((await send("/api/tasks", { headers: bearer(token) })).status).toBe(401);
    expect((await openSocket(bearer(token))).status).toBe(401);
    token = rotated;
    expect((await send("/api/tasks", { headers: bearer(token) })).status).toBe(200);
    expect((await send("/api/tasks", { headers: { cookie: await loginCookie() } })).status).toBe(200);
  });

  it("is refused when the token comes from AI_SLAVE_TOKEN", () => {
    const result = spawnSyncText(["scripts/token.ts", "--rotate"], { AI_SLAVE_TOKEN: "explicit-token-value", DATABASE_URL: `file:${path.join(dir, "db.sqlite")}` });
    expect(result.status).toBe(1);
    expect(result.output).toContain("change it there");
  });
});

describe("server.ts start-up", () => {
  it("refuses AI_SLAVE_AUTH=off on a non-loopback HOST before listening", async () => {
    const result = await runServer({ HOST: "0.0.0.0", AI_SLAVE_AUTH: "off" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("AI_SLAVE_AUTH=off is refused with HOST=0.0.0.0");
  });

  it("warns, naming the address, when HOST is not loopback", async () => {
    const result = await runServer({ HOST: "0.0.0.0", PORT: "0" }, "WARNING: listening on 0.0.0.0");
    expect(result.output).toContain("WARNING: listening on 0.0.0.0:0");
  });
});

function spawnSyncText(args: string[], env: Record<string, string>): { status: number | null; output: string } {
  try {
    const output = execFileSync(process.execPath, ["--import", "tsx", ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: "pipe" }).toString();
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: Buffer; stderr: Buffer };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

/** Starts server.ts until it exits, or until `until` shows up in its output (then stops it). */
function runServer(env: Record<string, string>, until?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: `file:${path.join(dir, "start.sqlite")}`, AI_SLAVE_TOKEN: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (until && output.includes(until)) child.kill("SIGKILL");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/**
 * The gate in front of everything server.ts serves: pages, API routes, SSE streams, static
 * assets and WebSocket upgrades. In order: the Host must be one this server answers to (DNS
 * rebinding), `/login` is answered here, `/api/health` passes (the route shows details only to the
 * authenticated), everything else needs the token (Bearer header or session cookie); /api/mcp
 * also passes a task's agent token on to the route, which checks it. Requests it
 * lets through are tracked, so a token rotation can end the sessions and streams made before.
 * Imports nothing server-only: server.ts loads it outside Next's bundles.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { agentTokenFrom } from "../auth/agent-token";
import { authenticate, clearSessionCookie, safeNextPath, sessionSetCookie } from "../auth/session";
import { secretsEqual, type TokenSource } from "../auth/token";
import { LOGIN_PAGE_CSP, loginPageHtml } from "./login-page";
import { isTrustedHost } from "./origin";

export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOGIN_FORM_BYTES = 16 * 1024;
/** Set by the gate (after removing any the client sent) on requests it authenticated. */
export const AUTHENTICATED_HEADER = "x-ai-slave-authenticated";

export interface GateOptions {
  bindHost: string;
  allowedHosts: string[];
  tokens: TokenSource;
}

export interface Gate {
  /** True when the gate answered the request itself; otherwise pass it on. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** Null when the upgrade may go on (it is then tracked), else the raw HTTP refusal to write. */
  checkUpgrade(request: IncomingMessage, socket: Duplex): string | null;
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function sendJson(response: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { code, message } });
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store", ...extra });
  response.end(body);
}

function wantsPage(request: IncomingMessage, pathname: string): boolean {
  return (request.method === "GET" || request.method === "HEAD") && !pathname.startsWith("/api/") && !pathname.startsWith("/_next/") && (header(request, "accept") ?? "").includes("text/html");
}

function hostRefusal(request: IncomingMessage, options: GateOptions): string | null {
  const host = header(request, "host");
  if (!host) return "The request has no Host header.";
  if (!isTrustedHost(host, options.bindHost, options.allowedHosts)) {
    return `Host "${host.slice(0, 200)}" is not one this server answers to; add it to AI_SLAVE_ALLOWED_HOSTS if you reach the server under that name.`;
  }
  return null;
}

const UNAUTHORIZED = {
  missing: "This server needs its access token: log in at /login, or send Authorization: Bearer <token> (npm run token prints it).",
  invalid: "The access token or session is not valid (it may have been rotated): log in again at /login.",
};

export function createGate(options: GateOptions): Gate {
  const open = new Set<{ destroy(): void }>();
  options.tokens.onRotate(() => {
    for (const connection of [...open]) connection.destroy();
    open.clear();
  });
  const track = (connection: { destroy(): void; once(event: "close", listener: () => void): unknown }) => {
    open.add(connection);
    connection.once("close", () => open.delete(connection));
  };

  const login = (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const pageHeaders = { "Content-Security-Policy": LOGIN_PAGE_CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" };
    const secure = header(request, "x-forwarded-proto") === "https";
    const answer = (status: number, next: string, error?: string) => {
      const body = loginPageHtml({ next, error });
      response.writeHead(status, { ...pageHeaders, "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    const exchange = (given: string | null, next: string) => {
      const token = options.tokens.current();
      if (token === null) return void response.writeHead(303, { ...pageHeaders, Location: next }).end();
      if (given === null || given === "") return answer(200, next);
      if (!secretsEqual(given, token)) return answer(401, next, "That token is not valid. It may have been rotated: npm run token prints the current one.");
      response.writeHead(303, { ...pageHeaders, "Set-Cookie": sessionSetCookie(token, secure), Location: next }).end();
    };
    if (request.method === "GET" || request.method === "HEAD") return exchange(url.searchParams.get("token"), safeNextPath(url.searchParams.get("next")));
    if (request.method !== "POST") return sendJson(response, 405, "bad_request:method", "Use GET or POST on /login.", { Allow: "GET, HEAD, POST" });
    readSmallBody(request, MAX_LOGIN_FORM_BYTES, (body) => {
      if (body === null) return sendJson(response, 413, "too_large:body", "The login form is too large.");
      const form = new URLSearchParams(body);
      exchange(form.get("token"), safeNextPath(form.get("next")));
    });
  };

  return {
    handle(request, response) {
      const refusedHost = hostRefusal(request, options);
      if (refusedHost) {
        sendJson(response, 403, "forbidden:host", refusedHost);
        return true;
      }
      let url: URL;
      try {
        url = new URL(request.url ?? "/", "http://localhost");
      } catch {
        sendJson(response, 400, "bad_request:url", "The request URL is not valid.");
        return true;
      }
      try {
        // Next answers a malformed %-escape in a route parameter with a 500 of its own.
        decodeURIComponent(url.pathname);
      } catch {
        sendJson(response, 400, "bad_request:url", "The request path is not valid percent-encoded UTF-8.");
        return true;
      }
      if (url.pathname === "/login") {
        login(request, response, url);
        return true;
      }
      if (url.pathname === "/logout" && request.method === "POST") {
        response.writeHead(303, { "Set-Cookie": clearSessionCookie(), Location: "/login" }).end();
        return true;
      }
      delete request.headers[AUTHENTICATED_HEADER];
      const verdict = authenticate({ authorization: header(request, "authorization"), cookie: header(request, "cookie") }, options.tokens.current());
      // A task's agent token (agentMcp) is checked by the MCP route itself, against the database.
      const agentMcp = url.pathname === "/api/mcp" && agentTokenFrom(header(request, "authorization")) !== null;
      if (verdict !== "ok" && url.pathname !== "/api/health" && !agentMcp) {
        if (wantsPage(request, url.pathname) && header(request, "sec-fetch-site") === "cross-site") {
          // A link from another site: the browser withholds the SameSite=Strict cookie. Reloading
          // from this page (same-site now) sends it; a real lack of session then goes to /login.
          const body = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0"><title>AI-Slave</title>';
          response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": LOGIN_PAGE_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
          response.end(body);
        } else if (wantsPage(request, url.pathname)) {
          const next = encodeURIComponent(`${url.pathname}${url.search}`);
          response.writeHead(303, { Location: `/login?next=${next}`, "Cache-Control": "no-store" }).end();
        } else {
          sendJson(response, 401, `unauthorized:${verdict === "missing" ? "token_missing" : "token_invalid"}`, UNAUTHORIZED[verdict], { "WWW-Authenticate": 'Bearer realm="ai-slave"' });
        }
        return true;
      }
      if (verdict === "ok") request.headers[AUTHENTICATED_HEADER] = "1";
      const length = Number(header(request, "content-length") ?? 0);
      if (Number.isFinite(length) && length > MAX_BODY_BYTES) {
        sendJson(response, 413, "too_large:body", "The request body is over 1 MB.", { Connection: "close" });
        return true;
      }
      // No DELETE reads a body: one that declares one (by length or chunked) is refused here,
      // on the raw headers, before Next builds its Request.
      if (request.method === "DELETE" && ((Number.isFinite(length) && length > 0) || header(request, "transfer-encoding") !== null)) {
        sendJson(response, 400, "bad_request:body", "A DELETE request takes no body; options go in the query string.", { Connection: "close" });
        return true;
      }
      track(response);
      return false;
    },

    checkUpgrade(request, socket) {
      const refusedHost = hostRefusal(request, options);
      if (refusedHost) return `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${refusedHost}\n`;
      const verdict = authenticate({ authorization: header(request, "authorization"), cookie: header(request, "cookie") }, options.tokens.current());
      if (verdict !== "ok") return `HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\n${UNAUTHORIZED[verdict]}\n`;
      track(socket);
      return null;
    },
  };
}

/** Reads a body of at most `limit` bytes; null when it is larger (the rest is discarded). */
function readSmallBody(request: IncomingMessage, limit: number, done: (body: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) over = true;
    else chunks.push(chunk);
  });
  request.on("end", () => done(over ? null : Buffer.concat(chunks).toString("utf8")));
  request.on("error", () => done(null));
}

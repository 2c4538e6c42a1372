/**
 * Who a request is: a script with `Authorization: Bearer <token>`, or a browser with the session
 * cookie the login page set. The cookie is derived from the token (an HMAC of its issue time), so
 * sessions survive a restart and die with a rotation. Pure functions; no I/O.
 */
import { createHmac } from "node:crypto";
import { secretsEqual } from "./token";

export const SESSION_COOKIE = "ai_slave_session";
export const SESSION_MAX_AGE_SEC = 30 * 24 * 3600;

function sessionMac(token: string, issuedAtSec: number): string {
  return createHmac("sha256", token).update(`ai-slave session v1 ${issuedAtSec}`).digest("base64url");
}

export function sessionCookieValue(token: string, nowMs = Date.now()): string {
  const issuedAtSec = Math.floor(nowMs / 1000);
  return `v1.${issuedAtSec}.${sessionMac(token, issuedAtSec)}`;
}

export function verifySessionCookie(value: string, token: string, nowMs = Date.now()): boolean {
  const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const issuedAtSec = Number(match[1]);
  const ageSec = nowMs / 1000 - issuedAtSec;
  if (ageSec > SESSION_MAX_AGE_SEC || ageSec < -300) return false;
  return secretsEqual(match[2]!, sessionMac(token, issuedAtSec));
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, the whole site. */
export function sessionSetCookie(token: string, secure: boolean, nowMs = Date.now()): string {
  return `${SESSION_COOKIE}=${sessionCookieValue(token, nowMs)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_SEC}${secure ? "; Secure" : ""}`;
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

export function cookieValue(cookieHeader: string | null | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return null;
}

export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  return match ? match[1]! : null;
}

export type AuthVerdict = "ok" | "missing" | "invalid";

/** Checks the bearer token first (scripts), then the session cookie (browsers). */
export function authenticate(headers: { authorization?: string | null; cookie?: string | null }, token: string | null): AuthVerdict {
  if (token === null) return "ok";
  const bearer = bearerToken(headers.authorization);
  if (bearer !== null) return secretsEqual(bearer, token) ? "ok" : "invalid";
  const cookie = cookieValue(headers.cookie, SESSION_COOKIE);
  if (cookie !== null) return verifySessionCookie(cookie, token) ? "ok" : "invalid";
  return "missing";
}

/** A `next` target after login: a path on this site only, never another origin. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\r\n\0]/.test(next)) return "/";
  return next;
}

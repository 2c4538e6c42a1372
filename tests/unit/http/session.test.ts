import { describe, expect, it } from "vitest";
import { authenticate, bearerToken, safeNextPath, SESSION_MAX_AGE_SEC, sessionCookieValue, verifySessionCookie } from "@/server/auth/session";
import { accessCheck, loginUrl } from "@/server/auth/startup";
import { secretsEqual } from "@/server/auth/token";

const token = "t".repeat(43);
const now = Date.UTC(2026, 10, 30);

describe("session cookies", () => {
  it("are valid for the token that made them, for 30 days", () => {
    const cookie = sessionCookieValue(token, now);
    expect(verifySessionCookie(cookie, token, now)).toBe(true);
    expect(verifySessionCookie(cookie, token, now + (SESSION_MAX_AGE_SEC - 60) * 1000)).toBe(true);
    expect(verifySessionCookie(cookie, token, now + (SESSION_MAX_AGE_SEC + 1) * 1000)).toBe(false);
  });

  it("die with a rotation and cannot be forged or altered", () => {
    const cookie = sessionCookieValue(token, now);
    expect(verifySessionCookie(cookie, "another-token", now)).toBe(false);
    const [version, issued, mac] = cookie.split(".");
    expect(verifySessionCookie(`${version}.${Number(issued) + 1}.${mac}`, token, now)).toBe(false);
    expect(verifySessionCookie(`${version}.${issued}.${mac!.slice(0, -1)}${mac!.endsWith("A") ? "B" : "A"}`, token, now)).toBe(false);
    expect(verifySessionCookie(token, token, now)).toBe(false);
    expect(verifySessionCookie("", token, now)).toBe(false);
  });
});

describe("authenticate", () => {
  it("takes a Bearer token or the cookie, and says whether one was missing or wrong", () => {
    const cookie = `theme=dark; ai_slave_session=${sessionCookieValue(token)}`;
    expect(authenticate({ authorization: `Bearer ${token}` }, token)).toBe("ok");
    expect(authenticate({ authorization: `bearer  ${token}` }, token)).toBe("ok");
    expect(authenticate({ cookie }, token)).toBe("ok");
    expect(authenticate({}, token)).toBe("missing");
    expect(authenticate({ authorization: `Bearer ${token}x` }, token)).toBe("invalid");
    // A wrong Bearer is not rescued by a good cookie: a script's mistake stays visible.
    expect(authenticate({ authorization: "Bearer nope", cookie }, token)).toBe("invalid");
    expect(authenticate({}, null)).toBe("ok");
    expect(bearerToken(`Basic ${token}`)).toBeNull();
  });

  it("compares secrets of any length in constant time", () => {
    expect(secretsEqual(token, token)).toBe(true);
    expect(secretsEqual(token, `${token}x`)).toBe(false);
    expect(secretsEqual("", token)).toBe(false);
  });
});

describe("safeNextPath", () => {
  it("keeps paths on this site and turns anything else into /", () => {
    expect(safeNextPath("/tasks/3?tab=diff")).toBe("/tasks/3?tab=diff");
    for (const next of [null, "", "https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b"]) {
      expect(safeNextPath(next)).toBe("/");
    }
  });
});

describe("accessCheck", () => {
  it("refuses AI_SLAVE_AUTH=off unless HOST is loopback, and warns about a non-loopback HOST", () => {
    expect(accessCheck({ host: "0.0.0.0", port: 3000, auth: "off" }).error).toContain("AI_SLAVE_AUTH=off is refused with HOST=0.0.0.0");
    expect(accessCheck({ host: "192.168.1.5", port: 3000, auth: "off" }).error).toBeDefined();
    expect(accessCheck({ host: "127.0.0.1", port: 3000, auth: "off" })).toEqual({ warnings: [expect.stringContaining("AI_SLAVE_AUTH=off")] });
    expect(accessCheck({ host: "::1", port: 3000, auth: "off" }).error).toBeUndefined();
    expect(accessCheck({ host: "192.168.1.5", port: 8080, auth: "token" })).toEqual({ warnings: [expect.stringContaining("listening on 192.168.1.5:8080")] });
    expect(accessCheck({ host: "127.0.0.1", port: 3000, auth: "token" })).toEqual({ warnings: [] });
  });

  it("prints a login link that reaches a wildcard bind through loopback", () => {
    expect(loginUrl("0.0.0.0", 3000, "abc", "/usage")).toBe("http://127.0.0.1:3000/login?token=abc&next=%2Fusage");
    expect(loginUrl("::1", 3000, "abc")).toBe("http://[::1]:3000/login?token=abc");
  });
});

import { describe, expect, it } from "vitest";
import os from "node:os";
import { checkOrigin, isTrustedHost } from "@/server/http/origin";

const base = { origin: null, host: "127.0.0.1:3000", secFetchSite: null, allowedOrigins: [], bindHost: "127.0.0.1" };

describe("checkOrigin", () => {
  it("allows same-origin browsers and scripts without an Origin", () => {
    expect(checkOrigin(base)).toBeNull();
    expect(checkOrigin({ ...base, origin: "http://127.0.0.1:3000" })).toBeNull();
    expect(checkOrigin({ ...base, origin: "http://localhost:3000", host: "localhost:3000" })).toBeNull();
  });

  it("refuses other origins, cross-site fetches and unknown Host names (DNS rebinding)", () => {
    expect(checkOrigin({ ...base, origin: "http://evil.example" })).toContain("may not act");
    expect(checkOrigin({ ...base, origin: "http://127.0.0.1:4000" })).toContain("may not act");
    expect(checkOrigin({ ...base, secFetchSite: "cross-site" })).toContain("Cross-site");
    expect(checkOrigin({ ...base, origin: "http://evil.example:3000", host: "evil.example:3000" })).toContain("Host");
    expect(checkOrigin({ ...base, origin: "not a url" })).toContain("not a URL");
  });

  it("allows configured origins", () => {
    expect(checkOrigin({ ...base, origin: "https://slave.internal", host: "slave.internal", allowedOrigins: ["https://slave.internal"] })).toBeNull();
  });
});

describe("isTrustedHost", () => {
  it("answers to loopback names, the bound address and AI_SLAVE_ALLOWED_HOSTS, whatever the port", () => {
    expect(isTrustedHost("127.0.0.1:3000", "127.0.0.1")).toBe(true);
    expect(isTrustedHost("localhost", "127.0.0.1")).toBe(true);
    expect(isTrustedHost("[::1]:3000", "127.0.0.1")).toBe(true);
    expect(isTrustedHost("10.1.2.3:3000", "10.1.2.3")).toBe(true);
    expect(isTrustedHost("slave.example:443", "127.0.0.1", ["slave.example"])).toBe(true);
    expect(isTrustedHost("evil.example:3000", "127.0.0.1", ["slave.example"])).toBe(false);
    expect(isTrustedHost(":3000", "127.0.0.1")).toBe(false);
  });

  it("bound to all addresses, answers to the machine's own addresses, not to any name", () => {
    expect(isTrustedHost("evil.example:3000", "0.0.0.0")).toBe(false);
    const own = Object.values(os.networkInterfaces()).flat().find((entry) => entry?.family === "IPv4" && !entry.internal);
    if (own) expect(isTrustedHost(`${own.address}:3000`, "0.0.0.0")).toBe(true);
    expect(isTrustedHost("203.0.113.9:3000", "0.0.0.0")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { checkOrigin } from "@/server/http/origin";

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

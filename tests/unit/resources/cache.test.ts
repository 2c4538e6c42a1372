import { beforeEach, describe, expect, it } from "vitest";
import { cachedProbe, clearProbeCache } from "@/server/resources/cache";

beforeEach(() => clearProbeCache());

describe("cachedProbe", () => {
  it("gives many viewers one probe while it runs and for the TTL after", async () => {
    let probes = 0;
    const probe = async () => {
      probes += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { probes };
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => cachedProbe("k", 1000, probe, 0)));
    expect(probes).toBe(1);
    expect(new Set(results).size).toBe(1);
    await cachedProbe("k", 1000, probe, 999);
    expect(probes).toBe(1);
    await cachedProbe("k", 1000, probe, 1000);
    expect(probes).toBe(2);
  });

  it("does not keep a failed probe", async () => {
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error("down");
    };
    await expect(cachedProbe("f", 1000, failing, 0)).rejects.toThrow("down");
    await expect(cachedProbe("f", 1000, failing, 1)).rejects.toThrow("down");
    expect(calls).toBe(2);
  });
});

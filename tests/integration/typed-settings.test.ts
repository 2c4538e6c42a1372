import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase, type TestDb } from "./helpers/test-env";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await useTestDatabase();
});
afterAll(async () => testDb.cleanup());

/** Writes the stored text as it is, as a hand edit or an older version might have left it. */
async function store(key: string, text: string) {
  const { db } = await import("@/server/db/client");
  await db().setting.upsert({ where: { key }, create: { key, value: text }, update: { value: text } });
}

describe("typed settings", () => {
  it("return the built-in defaults when nothing is stored", async () => {
    const { settings } = await import("@/server/settings");
    expect(await settings.defaultBackend()).toBe("claude_code");
    expect(await settings.defaultModel("claude_code")).toBe("sonnet");
    expect(await settings.defaultModel("codex_cli")).toBe("gpt-5.5");
    expect(await settings.cliPath("claude_code")).toBeNull();
    expect(await settings.remoteCliPath(3, "codex_cli")).toBeNull();
    expect(await settings.hostKey("gpu1:22")).toBeNull();
    // The new agents' defaults come from their adapters; the price table is the built-in list.
    expect(await settings.defaultModel("gemini_cli")).toBe("gemini-2.5-pro");
    expect(await settings.defaultModel("opencode")).toBe("anthropic/claude-sonnet-4-5");
    const { DEFAULT_PRICE_TABLE } = await import("@/lib/pricing");
    expect(await settings.priceTable()).toEqual(DEFAULT_PRICE_TABLE);
  });

  it("return stored values that match their schema", async () => {
    const { settings, setSetting } = await import("@/server/settings");
    await setSetting("defaultBackend", "codex_cli");
    await setSetting("defaultModel.codex_cli", "gpt-5.4");
    await setSetting("cliPath.claude_code", "/opt/claude/bin/claude");
    await setSetting("remoteCliPath.3.codex_cli", "~/bin/codex");
    const key = { fingerprint: "SHA256:abc", keyType: "ssh-ed25519", key: "AAAA", pinnedAt: "2026-01-01T00:00:00.000Z" };
    await settings.setHostKey("gpu1:22", key);
    expect(await settings.defaultBackend()).toBe("codex_cli");
    expect(await settings.defaultModel("codex_cli")).toBe("gpt-5.4");
    expect(await settings.cliPath("claude_code")).toBe("/opt/claude/bin/claude");
    expect(await settings.remoteCliPath(3, "codex_cli")).toBe("~/bin/codex");
    expect(await settings.hostKey("gpu1:22")).toEqual(key);
    await settings.setLogCompactedThrough("2026-02-03T04:05:06.000Z");
    expect(await settings.logCompactedThrough()).toBe("2026-02-03T04:05:06.000Z");
  });

  it("fall back, with one warning per bad value, when the stored value is not JSON or breaks its schema", async () => {
    const { settings } = await import("@/server/settings");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await store("defaultBackend", '"gemini"');
    await store("defaultModel.claude_code", "{not json");
    await store("cliPath.codex_cli", '"relative/codex"');
    await store("remoteCliPath.3.claude_code", '"claude; rm -rf /"');
    await store("hostKey.gpu2:22", '"forged"');
    await store("priceTable", '{"fake-model":{"input":-1,"cachedInput":0,"output":1}}');
    expect(await settings.defaultBackend()).toBe("claude_code");
    expect(await settings.defaultModel("claude_code")).toBe("sonnet");
    expect(await settings.cliPath("codex_cli")).toBeNull();
    expect(await settings.remoteCliPath(3, "claude_code")).toBeNull();
    expect(await settings.hostKey("gpu2:22")).toBeNull();
    const { DEFAULT_PRICE_TABLE } = await import("@/lib/pricing");
    expect(await settings.priceTable()).toEqual(DEFAULT_PRICE_TABLE);
    expect(warn).toHaveBeenCalledTimes(6);
    expect(warn.mock.calls[1]![0]).toMatch(/defaultModel\.claude_code \(not JSON\).*default applies/);
    expect(warn.mock.calls[2]![0]).toMatch(/cliPath\.codex_cli \(Must be an absolute path\.\)/);
    // Read again: still the default, no second warning for the same stored value.
    expect(await settings.defaultBackend()).toBe("claude_code");
    expect(warn).toHaveBeenCalledTimes(6);
    warn.mockRestore();
  });

  it("refuse to store an invalid value through a typed setter", async () => {
    const { settings } = await import("@/server/settings");
    await expect(settings.setLogCompactedThrough("yesterday")).rejects.toThrow();
    expect(await settings.logCompactedThrough()).toBe("2026-02-03T04:05:06.000Z");
  });
});

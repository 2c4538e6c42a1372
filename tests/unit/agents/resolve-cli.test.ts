import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS } from "@/lib/enums";
import { ADAPTERS, getAdapter } from "@/server/agents/registry";
import { cliVersion, resolveCli } from "@/server/exec/resolve-cli";

const root = mkdtempSync(path.join(tmpdir(), "resolve-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function script(relative: string, body: string, mode = 0o755): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

const claude = getAdapter("claude_code");
const settingBin = script("setting/claude", "echo setting");
const envBin = script("env/claude", "echo env");
const projectRoot = path.join(root, "project");
const projectBin = script("project/node_modules/.bin/claude", "echo project");
const pathDir = path.join(root, "bin");
const pathBin = script("bin/claude", "echo path");
const envPath = ["/nonexistent", pathDir].join(path.delimiter);
const env = { AI_SLAVE_CLAUDE_BIN: envBin };

describe("registry", () => {
  it("has one adapter per backend, each for its own backend", () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual([...BACKENDS].sort());
    for (const backend of BACKENDS) expect(getAdapter(backend).backend).toBe(backend);
    expect(getAdapter("codex_cli")).toMatchObject({ provider: "openai", cliName: "codex", binEnvVar: "AI_SLAVE_CODEX_BIN" });
    expect(claude).toMatchObject({ provider: "anthropic", cliName: "claude", binEnvVar: "AI_SLAVE_CLAUDE_BIN" });
  });
});

describe("resolveCli", () => {
  it("prefers the setting, then the env var, then the project, then PATH", () => {
    expect(resolveCli(claude, { configuredPath: settingBin, projectRoot, envPath, env })).toEqual({ path: settingBin, source: "setting" });
    expect(resolveCli(claude, { projectRoot, envPath, env })).toEqual({ path: envBin, source: "env" });
    expect(resolveCli(claude, { projectRoot, envPath, env: {} })).toEqual({ path: projectBin, source: "project" });
    expect(resolveCli(claude, { projectRoot: path.join(root, "empty"), envPath, env: {} })).toEqual({ path: pathBin, source: "path" });
  });

  it("skips a configured path that is missing or not executable", () => {
    const notExecutable = script("plain/claude", "echo no", 0o644);
    expect(resolveCli(claude, { configuredPath: notExecutable, projectRoot, envPath, env })?.source).toBe("env");
    expect(resolveCli(claude, { configuredPath: path.join(root, "gone"), projectRoot, envPath, env: {} })?.source).toBe("project");
  });

  it("returns null when the CLI is nowhere", () => {
    expect(resolveCli(getAdapter("codex_cli"), { projectRoot: path.join(root, "empty"), envPath: "/nonexistent", env: {} })).toBeNull();
  });
});

describe("cliVersion", () => {
  it("returns the first line of --version, trimmed", async () => {
    const bin = script("version/ok", 'test "$1" = --version && printf "  2.1.331 (Claude Code)\\nmore\\n"');
    expect(await cliVersion(bin)).toBe("2.1.331 (Claude Code)");
  });

  it("asks an unchanged binary once, and again once the file changed (an upgrade)", async () => {
    const counter = path.join(root, "version-calls");
    const body = (version: string) => `echo called >> ${JSON.stringify(counter)}; echo ${version}`;
    const bin = script("version/counted", body("1.0.0"));
    expect(await cliVersion(bin)).toBe("1.0.0");
    expect(await cliVersion(bin)).toBe("1.0.0");
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1);
    writeFileSync(bin, `#!/bin/sh\n${body("1.10.0")}\n`);
    expect(await cliVersion(bin)).toBe("1.10.0");
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("returns null when the binary fails or does not exist", async () => {
    expect(await cliVersion(script("version/fail", "exit 3"))).toBeNull();
    expect(await cliVersion(path.join(root, "missing"))).toBeNull();
  });
});

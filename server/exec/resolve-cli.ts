/**
 * Where an agent's CLI lives on this machine: the local transport's locateCli and the runner's
 * capability probe use it.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { processSingleton } from "@/server/singleton";

export type CliSource = "setting" | "env" | "project" | "path";

export interface ResolvedCli {
  path: string;
  source: CliSource;
}

export interface ResolveCliOptions {
  /** The path saved in Settings, which wins over everything else. */
  configuredPath?: string | null;
  projectRoot: string;
  /** $PATH to search last. */
  envPath?: string;
  /** Where the adapter's env var is read; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, envPath: string | undefined): string | undefined {
  return (envPath ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find(isExecutable);
}

/**
 * The CLI to run: the configured path, then the adapter's env var, then the project's own
 * node_modules/.bin (the CLIs are devDependencies), then $PATH. An explicit path that is not
 * executable is skipped rather than trusted, so a stale setting falls back to a working CLI.
 */
export function resolveCli(adapter: { cliName: string; binEnvVar: string }, options: ResolveCliOptions): ResolvedCli | null {
  const env = options.env ?? process.env;
  const candidates: [string | null | undefined, CliSource][] = [
    [options.configuredPath?.trim(), "setting"],
    [env[adapter.binEnvVar]?.trim(), "env"],
    [path.join(options.projectRoot, "node_modules", ".bin", adapter.cliName), "project"],
  ];
  for (const [file, source] of candidates) {
    if (file && isExecutable(file)) return { path: path.resolve(/*turbopackIgnore: true*/ file), source };
  }
  const onPath = findOnPath(adapter.cliName, options.envPath);
  return onPath ? { path: onPath, source: "path" } : null;
}

// Gemini CLI and opencode take several seconds to print their version on a busy machine.
const VERSION_TIMEOUT_MS = 30_000;

/**
 * `<cli> --version`, first line trimmed; null when it fails, times out or prints nothing. A
 * version is kept per file (path, size, modification time): saving one agent's CLI path probes
 * every agent again, and an unchanged binary need not be asked twice. Failures are not kept.
 */
export function cliVersion(cliPath: string): Promise<string | null> {
  let key: string;
  try {
    const stat = statSync(cliPath);
    key = `${path.resolve(cliPath)}\0${stat.size}\0${stat.mtimeMs}`;
  } catch {
    return Promise.resolve(null);
  }
  const versions = processSingleton("cli-versions", () => new Map<string, Promise<string | null>>());
  const known = versions.get(key);
  if (known) return known;
  const probe = new Promise<string | null>((resolve) => {
    execFile(cliPath, ["--version"], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
      const first = String(stdout ?? "").split("\n")[0]?.trim();
      resolve(error || !first ? null : first);
    });
  });
  versions.set(key, probe);
  void probe.then((version) => {
    if (version === null) versions.delete(key);
  });
  return probe;
}

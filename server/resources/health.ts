import "server-only";
import { stat } from "node:fs/promises";
import { BACKENDS, type Backend } from "@/lib/enums";
import { locateAgentCli } from "@/server/agents/locate";
import type { AgentHealth, WorkspaceHealth } from "@/lib/schemas/health";
import { ADAPTERS } from "@/server/agents/registry";
import type { Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import type { Transport } from "@/server/exec/transport";
import { currentBranch, isGitRepo } from "@/server/git/repo";
import { cachedProbe } from "./cache";
import { parseDfAvailableBytes, parseTmuxVersion } from "./parse";

const TTL_MS = 5_000;
const CHECK_TIMEOUT_MS = 15_000;

function unavailable(): Record<Backend, AgentHealth> {
  return Object.fromEntries(BACKENDS.map((backend) => [backend, { available: false, version: null }])) as Record<Backend, AgentHealth>;
}

/** First line of a command's stdout when it succeeds, else null. */
async function firstLine(transport: Transport, argv: string[], cwd = "/"): Promise<string | null> {
  const result = await transport.exec(argv, { cwd, timeoutMs: CHECK_TIMEOUT_MS }).catch(() => null);
  const line = result?.exitCode === 0 ? result.stdout.split("\n")[0]?.trim() : "";
  return line ? line : null;
}

/**
 * A CLI's version changes only when it is installed again, and each `--version` starts the CLI
 * (a Node program: the five together take seconds of CPU on a small machine, and a person opening
 * the new-task form waits for them). So it is asked once per machine and binary every 10 minutes,
 * and on this machine again at once when the binary's file changed. A failed answer is not kept.
 */
const VERSION_TTL_MS = 10 * 60_000;

async function cliVersion(workspace: Workspace, transport: Transport, cli: string): Promise<string | null> {
  const machine = `${workspace.type}|${workspace.user ?? ""}@${workspace.host ?? ""}:${workspace.port ?? ""}|${workspace.containerName ?? ""}`;
  const file = transport.kind === "local" ? await stat(cli).then((info) => `${info.ino}:${info.mtimeMs}`, () => "") : "";
  return cachedProbe(`cli-version:${machine}:${cli}:${file}`, VERSION_TTL_MS, async () => {
    const line = await firstLine(transport, [cli, "--version"]);
    if (line === null) throw new Error(`${cli} --version failed`);
    return line;
  }).catch(() => null);
}

/** Each agent CLI where the runs will find it (through the login shell on a remote host), and its version. */
async function agentHealth(workspace: Workspace, transport: Transport): Promise<Record<Backend, AgentHealth>> {
  const entries = await Promise.all(
    BACKENDS.map(async (backend) => {
      const cli = await locateAgentCli(transport, ADAPTERS[backend], workspace.id);
      const version = cli ? await cliVersion(workspace, transport, cli) : null;
      return [backend, { available: version !== null, version }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Backend, AgentHealth>;
}

async function probeHealth(workspace: Workspace): Promise<WorkspaceHealth> {
  const empty: WorkspaceHealth = { reachable: false, error: null, isGitRepo: false, baseBranch: null, tmux: null, agents: unavailable(), freeDiskBytes: null, hostKey: null };
  let transport: Transport;
  try {
    transport = transportFor(workspace);
    const ping = await transport.exec(["true"], { cwd: "/", timeoutMs: CHECK_TIMEOUT_MS });
    if (ping.exitCode !== 0) return { ...empty, error: ping.stderr.trim() || `The host answered with exit ${ping.exitCode}.`, hostKey: await transport.hostKey() };
  } catch (error) {
    return { ...empty, error: error instanceof Error ? error.message : String(error) };
  }
  const gitRepo = await isGitRepo(transport, workspace.path).catch(() => false);
  const [baseBranch, tmux, df, agents, hostKey] = await Promise.all([
    gitRepo ? currentBranch(transport, workspace.path).catch(() => null) : null,
    firstLine(transport, ["tmux", "-V"]).then((line) => (line ? parseTmuxVersion(line) : null)),
    transport.exec(["df", "-Pk", "--", workspace.path], { cwd: "/", timeoutMs: CHECK_TIMEOUT_MS }).catch(() => null),
    agentHealth(workspace, transport),
    transport.hostKey(),
  ]);
  const error = gitRepo ? null : `${workspace.path} is not a git repository (or does not exist).`;
  return { reachable: true, error, isGitRepo: gitRepo, baseBranch, tmux, agents, freeDiskBytes: df?.exitCode === 0 ? parseDfAvailableBytes(df.stdout) : null, hostKey };
}

/** Whether the workspace can run tasks, and what it has: git, tmux, agent CLIs, free disk. */
export function workspaceHealth(workspace: Workspace): Promise<WorkspaceHealth> {
  return cachedProbe(`health:${workspace.id}:${workspace.updatedAt.getTime()}`, TTL_MS, () => probeHealth(workspace));
}

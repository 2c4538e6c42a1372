import "server-only";
import type { Backend } from "@/lib/enums";
import { ADAPTERS, getAdapter } from "@/server/agents/registry";
import { parseJson } from "@/server/db/serialize";
import type { RunAccount } from "@/server/accounts/service";
import type { RunContext } from "./supervisor";

/**
 * Not the agent's: the server's token (with it, the agent could drive this server), and the
 * server's working directory (the agent's shell sets PWD to the worktree it starts in; opencode,
 * for one, works in $PWD).
 */
const NOT_INHERITED = new Set(["AI_SLAVE_TOKEN", "PWD", "OLDPWD"]);
const RUN_NAMES = ["AI_SLAVE_TASK_ID", "AI_SLAVE_RUN_ID", "CUDA_VISIBLE_DEVICES", "IS_SANDBOX"];
/** Every agent's path variables: opencode forwards GEMINI_*, yet GEMINI_CLI_HOME is a path here. */
const PATH_VARIABLES = Object.values(ADAPTERS).flatMap((adapter) => adapter.pathEnvVars);

/**
 * The agent's environment: the server's (API keys, base URLs), the adapter's additions, the run's
 * ids and the workspace's GPUs, as the workspace's machine gets it (transport.agentEnv: all of it
 * on this machine; elsewhere the variables under the adapter's `forwardedEnvPrefixes` and the
 * AI_SLAVE_REMOTE_ENV names, never a path of this machine: SERVER_PATH_VARIABLES, every adapter's `pathEnvVars`).
 */
export function agentEnvironment(ctx: Pick<RunContext, "task" | "run" | "transport" | "account">, adapterEnv: Record<string, string>, extraNames = process.env.AI_SLAVE_REMOTE_ENV ?? ""): Record<string, string> {
  // A task that asked for GPUs gets those the scheduler gave it; else the workspace's fixed list.
  const gpus = ctx.task.gpus > 0 ? parseJson<number[]>(ctx.task.gpuIndices, []) : parseJson<number[]>(ctx.task.workspace.gpuIndices, []);
  const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_INHERITED.has(name)));
  const env = {
    ...serverEnv,
    ...adapterEnv,
    AI_SLAVE_TASK_ID: String(ctx.task.id),
    AI_SLAVE_RUN_ID: String(ctx.run.id),
    ...(gpus.length > 0 ? { CUDA_VISIBLE_DEVICES: gpus.join(",") } : {}),
  };
  const extra = extraNames.split(",").map((name) => name.trim()).filter(Boolean);
  const adapter = getAdapter(ctx.run.backend as Backend);
  const forwarded = ctx.transport.agentEnv(env, { prefixes: [...adapter.forwardedEnvPrefixes], names: [...RUN_NAMES, ...extra], exclude: PATH_VARIABLES });
  // The run's account is chosen for the machine it runs on: its config home and secrets travel as they are.
  return { ...forwarded, ...accountEnvironment(ctx.account ?? null, adapter.configDirEnvVar).env };
}

/** What a run's account adds: its config home under the adapter's variable, and each mapped variable from the server's environment. */
export function accountEnvironment(account: RunAccount | null, configDirEnvVar: string | undefined, serverEnv: Record<string, string | undefined> = process.env): { env: Record<string, string>; missing: string[] } {
  if (!account) return { env: {}, missing: [] };
  const env: Record<string, string> = {};
  const missing: string[] = [];
  if (account.configDir && configDirEnvVar) env[configDirEnvVar] = account.configDir;
  for (const [variable, source] of Object.entries(account.env)) {
    const value = serverEnv[source];
    if (value === undefined) missing.push(source);
    else env[variable] = value;
  }
  return { env, missing };
}

import "server-only";
import { parseJson } from "@/server/db/serialize";
import type { RunContext } from "./supervisor";

/** The agents' own variables: API keys, base URLs, their settings. */
const AGENT_PREFIXES = ["ANTHROPIC_", "CLAUDE_", "OPENAI_", "CODEX_", "DISABLE_"];
const SERVER_SECRETS = new Set(["AI_SLAVE_TOKEN"]);
const RUN_NAMES = ["AI_SLAVE_TASK_ID", "AI_SLAVE_RUN_ID", "CUDA_VISIBLE_DEVICES", "IS_SANDBOX"];

/**
 * The agent's environment: the server's (API keys, base URLs), the adapter's additions, the run's
 * ids and the workspace's GPUs, as the workspace's machine gets it (transport.agentEnv: all of it
 * on this machine; elsewhere the agents' variables and those AI_SLAVE_REMOTE_ENV names, no paths).
 */
export function agentEnvironment(ctx: Pick<RunContext, "task" | "run" | "transport">, adapterEnv: Record<string, string>, extraNames = process.env.AI_SLAVE_REMOTE_ENV ?? ""): Record<string, string> {
  const gpus = parseJson<number[]>(ctx.task.workspace.gpuIndices, []);
  // The server's token is not the agent's: with it, the agent could drive this server.
  const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_SECRETS.has(name)));
  const env = {
    ...serverEnv,
    ...adapterEnv,
    AI_SLAVE_TASK_ID: String(ctx.task.id),
    AI_SLAVE_RUN_ID: String(ctx.run.id),
    ...(gpus.length > 0 ? { CUDA_VISIBLE_DEVICES: gpus.join(",") } : {}),
  };
  const extra = extraNames.split(",").map((name) => name.trim()).filter(Boolean);
  return ctx.transport.agentEnv(env, { prefixes: AGENT_PREFIXES, names: [...RUN_NAMES, ...extra] });
}

import "server-only";
import path from "node:path";
import { agentTokenHash, newAgentToken } from "@/server/auth/agent-token";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { RunContext } from "./supervisor";
import { taskRunDir } from "./session";

/**
 * For a workspace with agentMcp: a fresh task-scoped token for this launch (its hash on the task,
 * replacing the previous launch's) and the agent's MCP config with it, written with mode 0600 into
 * the run folder through stdin, so the token is on no command line and in no log. Undefined when
 * the workspace does not ask for it, the run is not one that should have it (`wanted`: not a
 * review), or the agent's CLI cannot take it (said in the run's log).
 */
export async function agentMcpConfigPath(ctx: Pick<RunContext, "task" | "run" | "adapter" | "transport" | "writer">, attempt: number, wanted = true): Promise<string | undefined> {
  const { task, run, adapter, transport, writer } = ctx;
  if (!task.workspace.agentMcp) return undefined;
  if (!wanted) {
    // An earlier launch's token must not outlive it into a run that gets none (a review).
    await db().task.update({ where: { id: task.id }, data: { mcpTokenHash: null } });
    return undefined;
  }
  if (!adapter.mcpConfig) {
    writer.append([{ kind: "system", message: `This workspace gives agents the MCP server (agentMcp), but ${adapter.cliName} is not given one by AI-Slave yet; it runs without.` }]);
    return undefined;
  }
  const token = newAgentToken();
  const dir = taskRunDir(task.worktreePath!, task.id);
  const file = path.posix.join(dir, `mcp-${run.id}-${attempt}.json`);
  const result = await transport.exec(["sh", "-c", 'umask 077 && mkdir -p -- "$1" && cat > "$2"', "sh", dir, file], { cwd: "/", stdin: adapter.mcpConfig(config().mcpUrl, token) });
  if (result.exitCode !== 0) throw new Error(`Writing the agent's MCP config failed: ${result.stderr.trim().slice(0, 300)}`);
  await db().task.update({ where: { id: task.id }, data: { mcpTokenHash: agentTokenHash(token) } });
  writer.append([{ kind: "system", message: `The agent gets AI-Slave's MCP server at ${config().mcpUrl} (create_task and get_task on this workspace, with a token for this run).` }]);
  return file;
}

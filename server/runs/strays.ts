import "server-only";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import type { RunContext } from "./supervisor";
import { runLogPath } from "./session";

/**
 * A run given up because its host stayed away (class NETWORK after its agent started) may have
 * left the agent running there. Before a new run of the task works in the same worktree, those
 * agents are stopped: two agents must never edit one worktree.
 */
export async function stopStrayAgents(ctx: Pick<RunContext, "task" | "run" | "transport" | "writer">): Promise<void> {
  const { task, run, transport, writer } = ctx;
  if (!task.worktreePath) return;
  const strays = await db().run.findMany({ where: { taskId: task.id, id: { lt: run.id }, errorClass: "NETWORK", tmuxSession: { not: null } }, select: { id: true } });
  for (const stray of strays) {
    for (const attempt of [1, 2]) {
      await transport.stopDetached(runLogPath(task.worktreePath, task.id, stray.id, attempt), config().cancelGraceMs);
    }
  }
  if (strays.length > 0) writer.append([{ kind: "system", message: `Stopped what was left of run(s) ${strays.map((stray) => stray.id).join(", ")}, given up while the host was away, before starting.` }]);
}

import "server-only";
import { config } from "@/server/config";
import type { Run } from "@/server/db/generated/client";
import type { RunContext } from "./supervisor";
import { runLogPath } from "./session";

/**
 * A run given up because its host stayed away (class NETWORK after its agent started) may have
 * left the agent running there. Before a new run of the task works in the same worktree, those
 * agents are stopped: two agents must never edit one worktree. `earlier`: the task's runs before
 * this one, as read when it was planned (finished runs: their class and session no longer change).
 */
export async function stopStrayAgents(ctx: Pick<RunContext, "task" | "transport" | "writer">, earlier: Pick<Run, "id" | "errorClass" | "tmuxSession">[]): Promise<void> {
  const { task, transport, writer } = ctx;
  if (!task.worktreePath) return;
  const strays = earlier.filter((before) => before.errorClass === "NETWORK" && before.tmuxSession !== null);
  for (const stray of strays) {
    for (const attempt of [1, 2]) {
      await transport.stopDetached(runLogPath(task.worktreePath, task.id, stray.id, attempt), config().cancelGraceMs);
    }
  }
  if (strays.length > 0) writer.append([{ kind: "system", message: `Stopped what was left of run(s) ${strays.map((stray) => stray.id).join(", ")}, given up while the host was away, before starting.` }]);
}

import "server-only";
import type { Run, Task, Workspace } from "@/server/db/generated/client";
import type { RunLogWriter } from "@/server/events/log-writer";
import type { Transport } from "@/server/exec/transport";
import { commitAll } from "@/server/git/commit";
import { taskBranchName } from "@/server/git/worktree";
import { gitCommonDir, inspectWorktree } from "@/server/git/worktree-inspect";

/**
 * Whatever the agent left uncommitted goes on the task branch: nothing is lost, all is reviewable.
 * Only into a worktree of the workspace's own repository: an agent could have pointed the
 * worktree's `.git` elsewhere, and the server's git must not work for another repository.
 */
export async function commitLeftovers(transport: Transport, task: Task & { workspace: Workspace }, run: Pick<Run, "id">, writer: RunLogWriter | null, note = ""): Promise<string | null> {
  if (!task.worktreePath) return null;
  const worktreePath = task.worktreePath;
  const commit = async () => {
    const state = await inspectWorktree(transport, worktreePath, await gitCommonDir(transport, task.workspace.path));
    if (state.kind !== "valid") throw new Error(`the worktree ${worktreePath} ${state.reason}; nothing was committed`);
    const message = `AI-Slave: task #${task.number} (${taskBranchName(task.id)}), run ${run.id}${note}\n\n${task.title}`;
    return commitAll(transport, { cwd: worktreePath, message, noVerify: true });
  };
  try {
    const sha = await overDroppedConnections(commit, (error, delayMs) => writer?.append([{ kind: "system", message: `Committing: ${error.message} Trying again in ${delayMs / 1000} s.` }]));
    if (sha) writer?.append([{ kind: "system", message: `Committed the agent's uncommitted changes as ${sha.slice(0, 12)}.` }]);
    return sha;
  } catch (error) {
    const message = `Could not commit the agent's changes: ${error instanceof Error ? error.message : String(error)}`;
    if (writer) writer.append([{ kind: "error", message, fatal: false }]);
    else console.error(`[task ${task.id}] ${message}`);
    return null;
  }
}

const RETRY_DELAYS_MS = [1_000, 3_000, 6_000];

/**
 * Runs `step` again when the connection to the workspace's host dropped under it: a commit is
 * safe to repeat (a second one finds nothing left to commit), and losing the agent's work to a
 * passing network fault is not acceptable.
 */
async function overDroppedConnections<T>(step: () => Promise<T>, onRetry: (error: Error, delayMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      // By name: the class may come from another bundle of the process.
      const dropped = error instanceof Error && error.name === "SshError" && ["connect", "channel"].includes((error as { code?: string }).code ?? "");
      const delay = RETRY_DELAYS_MS[attempt];
      if (!dropped || delay === undefined) throw error;
      onRetry(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

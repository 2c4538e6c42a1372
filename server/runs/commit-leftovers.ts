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
  try {
    const state = await inspectWorktree(transport, task.worktreePath, await gitCommonDir(transport, task.workspace.path));
    if (state.kind !== "valid") throw new Error(`the worktree ${task.worktreePath} ${state.reason}; nothing was committed`);
    const message = `AI-Slave: task #${task.number} (${taskBranchName(task.id)}), run ${run.id}${note}\n\n${task.title}`;
    const sha = await commitAll(transport, { cwd: task.worktreePath, message, noVerify: true });
    if (sha) writer?.append([{ kind: "system", message: `Committed the agent's uncommitted changes as ${sha.slice(0, 12)}.` }]);
    return sha;
  } catch (error) {
    const message = `Could not commit the agent's changes: ${error instanceof Error ? error.message : String(error)}`;
    if (writer) writer.append([{ kind: "error", message, fatal: false }]);
    else console.error(`[task ${task.id}] ${message}`);
    return null;
  }
}

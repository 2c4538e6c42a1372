import "server-only";
import type { Run, Task, Workspace } from "@/server/db/generated/client";
import type { RunLogWriter } from "@/server/events/log-writer";
import { config } from "@/server/config";
import type { Transport } from "@/server/exec/transport";
import { commitWorktree } from "@/server/git/commit";
import { taskBranchName } from "@/server/git/worktree";

/**
 * Whatever the agent left uncommitted goes on the task branch: nothing is lost, all is reviewable.
 * Only into a worktree of the workspace's own repository: an agent could have pointed the
 * worktree's `.git` elsewhere, and the server's git must not work for another repository.
 */
export interface LeftoversOutcome {
  /** The commit made, or null when there was nothing to commit (or nothing could be). */
  sha: string | null;
  /** Why the changes could not be committed; they are still in the worktree. */
  error: string | null;
  /** The host could not be reached for the whole retry budget. */
  unreachable: boolean;
}

export async function commitLeftovers(transport: Transport, task: Task & { workspace: Workspace }, run: Pick<Run, "id">, writer: RunLogWriter | null, note = "", retryBudgetMs = config().hostAwayLimitMs): Promise<LeftoversOutcome> {
  if (!task.worktreePath) return { sha: null, error: null, unreachable: false };
  const worktreePath = task.worktreePath;
  const message = `AI-Slave: task #${task.number} (${taskBranchName(task.id)}), run ${run.id}${note}\n\n${task.title}`;
  const commit = () => commitWorktree(transport, { repoPath: task.workspace.path, worktreePath, message, noVerify: true });
  try {
    const sha = await overDroppedConnections(commit, retryBudgetMs, (error, delayMs) =>
      writer?.append([{ kind: "system", message: `Committing: ${error.message} Trying again in ${delayMs / 1000} s.` }]),
    );
    if (sha) writer?.append([{ kind: "system", message: `Committed the agent's uncommitted changes as ${sha.slice(0, 12)}.` }]);
    return { sha, error: null, unreachable: false };
  } catch (error) {
    const message = `Could not commit the agent's changes: ${error instanceof Error ? error.message : String(error)} They are still in the worktree; a retry or a follow-up commits them.`;
    if (writer) writer.append([{ kind: "error", message, fatal: true }]);
    else console.error(`[task ${task.id}] ${message}`);
    return { sha: null, error: message, unreachable: isDropped(error) };
  }
}

/** The tries left for a host the run has already given up on (its away limit passed): 1, 3 and 6 s. */
export const GIVEN_UP_HOST_BUDGET_MS = 10_000;

/** Waits between tries: short at first, then every 10 s. */
const RETRY_DELAYS_MS = [1_000, 3_000, 6_000, 10_000];

function isDropped(error: unknown): error is Error {
  // By name: the class may come from another bundle of the process.
  return error instanceof Error && error.name === "SshError" && ["connect", "channel"].includes((error as { code?: string }).code ?? "");
}

/**
 * Runs `step` again while the connection to the workspace's host drops under it, for as long as
 * a host may be away (`AI_SLAVE_HOST_AWAY_LIMIT_SEC`): a commit is safe to repeat (a second one
 * finds nothing left to commit), and losing the agent's work to a passing network fault is not
 * acceptable.
 */
export async function overDroppedConnections<T>(step: () => Promise<T>, budgetMs: number, onRetry: (error: Error, delayMs: number) => void): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
      if (!isDropped(error) || Date.now() - started + delay > budgetMs) throw error;
      onRetry(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

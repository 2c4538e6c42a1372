/** A git command exited non-zero (or could not run). Carries git's own stderr. */
export class GitError extends Error {
  readonly code = "git_failed" as const;

  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} failed (${exitCode === null ? "killed" : `exit ${exitCode}`}): ${summarize(stderr)}`);
    this.name = "GitError";
  }
}

export const MERGE_REFUSALS = ["dirty_base", "conflict", "wrong_branch"] as const;
export type MergeRefusal = (typeof MERGE_REFUSALS)[number];

/** A merge that was not done, with the repository left exactly as it was. */
export class MergeRefusedError extends Error {
  constructor(
    readonly code: MergeRefusal,
    message: string,
    /** The files that caused the refusal: conflicting, uncommitted or in the way. */
    readonly files: string[] = [],
  ) {
    super(message);
    this.name = "MergeRefusedError";
  }
}

export const WORKTREE_FAILURES = ["branch_in_use", "dirty_worktree", "branch_taken", "no_base_branch"] as const;
export type WorktreeFailure = (typeof WORKTREE_FAILURES)[number];

/** A worktree that cannot be set up without risking someone's work. */
export class WorktreeError extends Error {
  constructor(
    readonly code: WorktreeFailure,
    message: string,
  ) {
    super(message);
    this.name = "WorktreeError";
  }
}

/** The message git printed, shortened to a few lines for an error message. */
function summarize(stderr: string): string {
  const lines = stderr.trim().split("\n").filter(Boolean);
  const shown = lines.slice(0, 5).map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line));
  return (lines.length > 5 ? [...shown, `… ${lines.length - 5} more lines`] : shown).join("\n") || "(no output)";
}

/** "a, b and 3 more" for a human message. */
export function listFiles(files: string[], max = 10): string {
  const shown = files.slice(0, max).join(", ");
  return files.length > max ? `${shown} and ${files.length - max} more` : shown;
}

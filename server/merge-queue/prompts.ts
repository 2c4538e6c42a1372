/** The merge queue's words: the resolver's prompt and why a conflict took a task out. Pure. */

export interface ResolvePromptInput {
  branch: string;
  baseBranch: string;
  baseSha: string;
  files: string[];
  /** "<short sha> <subject>" of the commit a rebase stopped at; null for a merge. */
  commit: string | null;
}

export function resolvePrompt(input: ResolvePromptInput): string {
  const where = input.commit ? ` while replaying your commit ${input.commit}` : "";
  return [
    `The merge queue is bringing ${input.branch} up to date with ${input.baseBranch} (commit ${input.baseSha.slice(0, 12)}), and git stopped at a conflict${where}.`,
    "Resolve the conflict markers in these files by editing them, so that each keeps what both sides meant:",
    "",
    ...input.files.map((file) => `- \`${file}\``),
    "",
    "Remove every <<<<<<<, ======= and >>>>>>> line. Edit only these files and do not run git: when you finish, the server checks that no markers remain, stages the files and continues.",
  ].join("\n");
}

export function conflictLeftReason(input: { branch: string; baseBranch: string; files: string[]; why: "no-auto-resolve" | "too-many" }): string {
  const list = input.files.join(", ");
  const lead = input.why === "too-many"
    ? `Bringing ${input.branch} up to date with ${input.baseBranch} conflicted too many times (last in ${list})`
    : `Bringing ${input.branch} up to date with ${input.baseBranch} conflicts in ${list}`;
  return `${lead}; the update was aborted and the branch is as it was. Resolve it on ${input.branch}, then queue the task again.`;
}

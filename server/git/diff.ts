import type { Transport } from "@/server/exec/transport";
import { mergeBase } from "./repo";
import { assertNotOption, runGit, together } from "./run-git";
import { parseNameStatus, parseNumstat } from "./diff-parse";
import type { BranchDiff } from "@/lib/schemas/git";
import { capPatch, MAX_PATCH_BYTES } from "./diff-cap";

export type { BranchDiff } from "@/lib/schemas/git";
export { MAX_PATCH_BYTES } from "./diff-cap";

export interface BranchDiffOptions {
  repoPath: string;
  baseBranch: string;
  branch: string;
}

/**
 * What the branch changed since it left the base: the committed tree at the branch tip
 * against the merge base, so commits made on the base meanwhile do not show up.
 */
export async function branchDiff(t: Transport, options: BranchDiffOptions): Promise<BranchDiff> {
  const { repoPath, baseBranch, branch } = options;
  assertNotOption(baseBranch, branch);
  // Options that pin the output format whatever the user's diff config says. `base...branch`
  // diffs the branch against its merge base, so the merge base is read beside the diffs, not
  // before them: one round trip to an SSH host instead of two.
  const diff = (args: string[], maxOutputBytes?: number): Promise<string> =>
    runGit(
      t,
      repoPath,
      ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-relative", "--find-renames", ...args, `${baseBranch}...${branch}`, "--"],
      { maxOutputBytes },
    );
  const [base, nameStatus, numstat, rawPatch] = await together([
    mergeBase(t, repoPath, baseBranch, branch),
    diff(["--name-status", "-z"]),
    diff(["--numstat", "-z"]),
    // One byte over the cap is enough to know the patch is too large; the rest is never held.
    diff(["--patch", "--src-prefix=a/", "--dst-prefix=b/"], MAX_PATCH_BYTES + 1),
  ]);
  const counts = parseNumstat(numstat);
  const capped = capPatch(rawPatch);
  const files = parseNameStatus(nameStatus).map((file) => ({
    ...file,
    ...(counts.get(file.path) ?? { additions: null, deletions: null }),
    ...(capped.truncated && !capped.completePaths.has(file.path) ? { truncated: true as const } : {}),
  }));
  return { mergeBase: base, files, patch: capped.patch, truncated: capped.truncated };
}

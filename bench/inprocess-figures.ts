/**
 * Figures measured by calling server modules in this process, each next to its raw baseline:
 * worktree creation on a large repository (ensureWorktree through the LocalTransport against
 * plain `git worktree add`), and one scheduler pass over 5,000 queued tasks (bench/scheduler-figure.ts).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Figure } from "./lib/results";
import { allowServerModules } from "./lib/inprocess";
import { largeRepo, pruneBenchWorktrees } from "./lib/large-repo";
import { median, now, percentile } from "./lib/stats";

export interface WorktreeSizes {
  repeats: number;
  repoFiles: number;
  repoCommits: number;
}

/**
 * Worktree creation: `ensureWorktree` (what a dispatch runs: prune, checks of the branch and the
 * base, `git worktree add -b`) against `git worktree add -b` by hand, on the same cached repo,
 * taken in turn so both see the same load. Each new worktree is removed again, untimed.
 */
export async function worktreeCreation(root: string, sizes: WorktreeSizes): Promise<Figure[]> {
  allowServerModules();
  const { ensureWorktree } = await import("@/server/git/worktree");
  const { LocalTransport } = await import("@/server/exec/local");
  const generatedAt = now();
  const repo = largeRepo(sizes.repoFiles, sizes.repoCommits);
  const generatedS = (now() - generatedAt) / 1000;
  pruneBenchWorktrees(repo, "bench-");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  const transport = new LocalTransport({ projectRoot: path.resolve(import.meta.dirname, "..") });
  const ours: number[] = [];
  const plain: number[] = [];
  const remove = (worktree: string, branch: string) => {
    git("worktree", "remove", "--force", worktree);
    git("branch", "-D", branch);
  };
  try {
    // One of each untimed first: the page cache holds the repository for both.
    for (let index = -1; index < sizes.repeats; index += 1) {
      const tag = index < 0 ? "warm" : String(index);
      const plainPath = path.join(root, `wt-plain-${tag}`);
      let at = now();
      git("worktree", "add", "-q", "-b", `bench-plain-${tag}`, plainPath, "main");
      if (index >= 0) plain.push(now() - at);
      remove(plainPath, `bench-plain-${tag}`);

      const oursPath = path.join(root, `wt-ours-${tag}`);
      at = now();
      const result = await ensureWorktree(transport, { repoPath: repo, worktreePath: oursPath, branch: `bench-ours-${tag}`, baseBranch: "main" });
      if (index >= 0) ours.push(now() - at);
      if (result.action !== "created") throw new Error(`ensureWorktree ${result.action} instead of created`);
      remove(oursPath, `bench-ours-${tag}`);
    }
  } finally {
    pruneBenchWorktrees(repo, "bench-");
  }
  return [
    {
      figure: `worktree creation (${sizes.repoFiles.toLocaleString("en-US")} files, ${sizes.repoCommits.toLocaleString("en-US")} commits)`,
      target: "ratio < 1.1",
      unit: "ms",
      measured: median(ours),
      baseline: median(plain),
      limit: { value: 1.1, better: "lower", of: "ratio" },
      note: `ensureWorktree (server/git/worktree.ts) through the LocalTransport, in process, against \`git worktree add -b\` by hand, ${sizes.repeats} of each in turn on the same repository (bench/.cache, generated in ${generatedS.toFixed(1)} s by git fast-import, cached); ours p90 ${percentile(ours, 90).toFixed(0)} ms: ${ours.map((ms) => ms.toFixed(0)).join(", ")} ms; by hand: ${plain.map((ms) => ms.toFixed(0)).join(", ")} ms.`,
    },
  ];
}

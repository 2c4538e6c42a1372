import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { MergeRefusedError } from "@/server/git/errors";
import { landFastForward } from "@/server/git/land";
import { ensureWorktree } from "@/server/git/worktree";
import { commitFiles, git, makeRepo, snapshot, tripCounting, useGitSandbox, write } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

/** A repository on main and task-1 one commit ahead of it, in its worktree. */
async function setup(): Promise<{ repo: string; tip: string; base: string }> {
  const dir = sandbox.dir();
  const repo = makeRepo(dir, { "README.md": "hello\n" });
  const base = git(repo, "rev-parse", "main").trim();
  const worktree = join(dir, "repo-task-1");
  await ensureWorktree(t, { repoPath: repo, worktreePath: worktree, branch: "task-1", baseBranch: "main" });
  const tip = commitFiles(worktree, { "feature.txt": "feature\n" }, "task work");
  return { repo, tip, base };
}

const mainAt = (repo: string) => git(repo, "rev-parse", "main").trim();

describe("landFastForward (the merge queue's landing)", () => {
  it("moves a base that is not checked out by one ref update, its reads in two round trips", async () => {
    const { repo, tip, base } = await setup();
    git(repo, "checkout", "-q", "--detach");
    const counted = tripCounting(t);
    expect(await landFastForward(counted.transport, repo, "main", tip)).toEqual({ kind: "landed", from: base, head: tip });
    expect(mainAt(repo)).toBe(tip);
    // The base and the checkout's branch; the tip against the base both ways; the update; the
    // read-back. Four trips where one command a trip took six.
    expect([counted.trips(), counted.commands()]).toEqual([4, 6]);
  });

  it("fast-forwards a checked-out base with its files, in as many trips", async () => {
    const { repo, tip, base } = await setup();
    const counted = tripCounting(t);
    expect(await landFastForward(counted.transport, repo, "main", tip)).toEqual({ kind: "landed", from: base, head: tip });
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "show", "HEAD:feature.txt")).toBe("feature\n");
    // The checkout's changes are read in the second wave, beside the ancestry.
    expect([counted.trips(), counted.commands()]).toEqual([4, 7]);
  });

  it("says already when the base holds the tip (a landing that crashed after the move), and changes nothing", async () => {
    const { repo, tip } = await setup();
    git(repo, "merge", "-q", "--ff-only", tip);
    const before = snapshot(repo);
    expect(await landFastForward(t, repo, "main", tip)).toEqual({ kind: "already", head: tip });
    expect(snapshot(repo)).toEqual(before);
  });

  it("says stale when the base moved on since the branch was updated, and changes nothing", async () => {
    const { repo, tip } = await setup();
    const moved = commitFiles(repo, { "README.md": "hello again\n" });
    const before = snapshot(repo);
    expect(await landFastForward(t, repo, "main", tip)).toEqual({ kind: "stale", head: moved });
    expect(snapshot(repo)).toEqual(before);
  });

  it("finishes a fast-forward cut short after the files and index were written and before the ref moved", async () => {
    const { repo, tip, base } = await setup();
    // What `git merge --ff-only` leaves when killed between its index and its ref.
    git(repo, "read-tree", "-m", "-u", base, tip);
    expect(git(repo, "status", "--porcelain")).toBe("A  feature.txt\n");
    expect(await landFastForward(t, repo, "main", tip)).toEqual({ kind: "landed", from: base, head: tip });
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "reflog", "-1", "--format=%gs", "main").trim()).toBe(`ai-slave merge queue: finish the fast-forward to ${tip}`);
  });

  it("refuses a checkout holding the tip's files plus an edit of its own, and keeps the edit", async () => {
    const { repo, tip, base } = await setup();
    git(repo, "read-tree", "-m", "-u", base, tip);
    write(repo, "feature.txt", "feature, edited\n");
    await expect(landFastForward(t, repo, "main", tip)).rejects.toMatchObject({ code: "dirty_base" });
    expect(mainAt(repo)).toBe(base);
    expect(git(repo, "diff", "--name-only").trim()).toBe("feature.txt");
  });

  it("refuses a checked-out base with uncommitted changes, naming them, and keeps them", async () => {
    const { repo, tip, base } = await setup();
    write(repo, "README.md", "my edit\n");
    const error = await landFastForward(t, repo, "main", tip).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MergeRefusedError);
    expect((error as MergeRefusedError).code).toBe("dirty_base");
    expect((error as MergeRefusedError).message).toContain("README.md");
    expect(mainAt(repo)).toBe(base);
    expect(git(repo, "diff", "--name-only").trim()).toBe("README.md");
  });
});

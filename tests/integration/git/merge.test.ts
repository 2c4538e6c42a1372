import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { MergeRefusedError } from "@/server/git/errors";
import { mergeBranch } from "@/server/git/merge";
import { ensureWorktree } from "@/server/git/worktree";
import { commitFiles, git, makeRepo, read, snapshot, tripCounting, useGitSandbox, write } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

/** A repository on main and a task worktree on task-1 holding one commit. */
async function setup(): Promise<{ repo: string; worktree: string; tip: string }> {
  const dir = sandbox.dir();
  const repo = makeRepo(dir, { "shared.txt": "base\n", "README.md": "hello\n" });
  const worktree = join(dir, "repo-task-1");
  await ensureWorktree(t, { repoPath: repo, worktreePath: worktree, branch: "task-1", baseBranch: "main" });
  const tip = commitFiles(worktree, { "feature.txt": "feature\n" }, "task work");
  return { repo, worktree, tip };
}

const merge = (repo: string) => mergeBranch(t, { repoPath: repo, baseBranch: "main", branch: "task-1" });
const head = (repo: string): string => git(repo, "rev-parse", "HEAD").trim();

async function refusal(promise: Promise<unknown>): Promise<MergeRefusedError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MergeRefusedError);
  return error as MergeRefusedError;
}

describe("mergeBranch", () => {
  it("sends the reads that do not wait on each other together: a fast-forward in four round trips, a merge commit in six", async () => {
    const { repo, tip } = await setup();
    const fastForward = tripCounting(t);
    expect(await mergeBranch(fastForward.transport, { repoPath: repo, baseBranch: "main", branch: "task-1" })).toEqual({ kind: "fast-forward", head: tip });
    // The state (tip, leftover merge, branch, HEAD); the merge's inputs (merge base, tracked and
    // untracked files, up to date?); the merge; the check of what it did. Twelve commands.
    expect([fastForward.trips(), fastForward.commands()]).toEqual([4, 12]);

    const other = await setup();
    commitFiles(other.repo, { "README.md": "hello again\n" });
    const mergeCommit = tripCounting(t);
    expect((await mergeBranch(mergeCommit.transport, { repoPath: other.repo, baseBranch: "main", branch: "task-1" })).kind).toBe("merge-commit");
    // And the identity before the merge commit: here, as on a fresh host, git has none, so the
    // two reads of it are followed by the two of user.name and user.email (two trips).
    expect(mergeCommit.trips()).toBe(6);
  });

  it("finishes a fast-forward cut short between its index and its ref, and refuses one with an edit on top", async () => {
    const { repo, tip } = await setup();
    const base = head(repo);
    // What `git merge --ff-only` leaves when killed after writing the files and the index.
    git(repo, "read-tree", "-m", "-u", base, tip);
    write(repo, "feature.txt", "feature, and the user's edit\n");
    expect((await refusal(merge(repo))).code).toBe("dirty_base");
    expect(head(repo)).toBe(base);
    write(repo, "feature.txt", "feature\n");
    expect(await merge(repo)).toEqual({ kind: "fast-forward", head: tip });
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("fast-forwards when the base has not moved", async () => {
    const { repo, tip } = await setup();
    expect(await merge(repo)).toEqual({ kind: "fast-forward", head: tip });
    expect(head(repo)).toBe(tip);
    expect(read(repo, "feature.txt")).toBe("feature\n");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("makes a merge commit when the base moved on without conflict", async () => {
    const { repo, tip } = await setup();
    const before = commitFiles(repo, { "README.md": "hello again\n" });
    const result = await merge(repo);
    expect(result.kind).toBe("merge-commit");
    expect(result.head).toBe(head(repo));
    expect(git(repo, "log", "-1", "--format=%P%n%s")).toBe(`${before} ${tip}\nMerge branch 'task-1'\n`);
    expect(read(repo, "README.md")).toBe("hello again\n");
    expect(read(repo, "feature.txt")).toBe("feature\n");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("reports up-to-date when the base already has the branch", async () => {
    const { repo, tip } = await setup();
    await merge(repo);
    expect(await merge(repo)).toEqual({ kind: "up-to-date", head: tip });
  });

  it("refuses a conflict and leaves the repository exactly as it was", async () => {
    const { repo, worktree } = await setup();
    commitFiles(worktree, { "shared.txt": "from the task\n" });
    commitFiles(repo, { "shared.txt": "from main\n" });
    write(repo, "notes.txt", "untracked, unrelated\n");
    const before = snapshot(repo);

    const error = await refusal(merge(repo));
    expect(error.code).toBe("conflict");
    expect(error.files).toEqual(["shared.txt"]);
    expect(error.message).toContain("shared.txt");
    expect(snapshot(repo)).toEqual(before);
  });

  it("refuses a base with uncommitted tracked changes and touches nothing", async () => {
    const { repo } = await setup();
    write(repo, "README.md", "edited, not committed\n");
    const before = snapshot(repo);
    const error = await refusal(merge(repo));
    expect(error.code).toBe("dirty_base");
    expect(error.files).toEqual(["README.md"]);
    expect(snapshot(repo)).toEqual(before);
  });

  it("refuses when an untracked file is where the branch adds one, but not for other untracked files", async () => {
    const { repo, tip } = await setup();
    write(repo, "feature.txt", "mine\n");
    const before = snapshot(repo);
    const error = await refusal(merge(repo));
    expect(error).toMatchObject({ code: "dirty_base", files: ["feature.txt"] });
    expect(snapshot(repo)).toEqual(before);

    rmSync(join(repo, "feature.txt"));
    write(repo, "scratch.txt", "unrelated\n");
    expect(await merge(repo)).toEqual({ kind: "fast-forward", head: tip });
    expect(read(repo, "scratch.txt")).toBe("unrelated\n");
  });

  it("checks out the base branch when the checkout is clean elsewhere", async () => {
    const { repo, tip } = await setup();
    git(repo, "checkout", "--quiet", "-b", "side");
    expect(await merge(repo)).toEqual({ kind: "fast-forward", head: tip });
    expect(git(repo, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
  });

  it("refuses to leave another branch that has uncommitted changes", async () => {
    const { repo } = await setup();
    git(repo, "checkout", "--quiet", "-b", "side");
    write(repo, "README.md", "work on side\n");
    const before = snapshot(repo);
    const error = await refusal(merge(repo));
    expect(error).toMatchObject({ code: "wrong_branch", files: ["README.md"] });
    expect(snapshot(repo)).toEqual(before);
  });

  it("aborts a leftover merge first", async () => {
    const { repo, worktree, tip } = await setup();
    git(repo, "checkout", "--quiet", "-b", "other", "main~0");
    commitFiles(repo, { "shared.txt": "other\n" });
    git(repo, "checkout", "--quiet", "main");
    commitFiles(repo, { "shared.txt": "main\n" });
    expect(() => git(repo, "merge", "other")).toThrow();
    expect(snapshot(repo).mergeState).toContain("MERGE_HEAD");

    const result = await merge(repo);
    expect(result.kind).toBe("merge-commit");
    expect(git(repo, "merge-base", "--is-ancestor", tip, "HEAD")).toBe("");
    expect(snapshot(repo).mergeState).toEqual([]);
    expect(read(worktree, "feature.txt")).toBe("feature\n");
  });

  it("merges the branch when the task's worktree is gone", async () => {
    const { repo, worktree, tip } = await setup();
    rmSync(worktree, { recursive: true, force: true });
    expect(await merge(repo)).toEqual({ kind: "fast-forward", head: tip });
  });
});

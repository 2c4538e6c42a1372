import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { GitError, WorktreeError } from "@/server/git/errors";
import { defaultWorktreePath, ensureWorktree, removeWorktree } from "@/server/git/worktree";
import { listWorktrees } from "@/server/git/worktree-inspect";
import { commitFiles, git, makeRepo, read, useGitSandbox, write } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

function setup(): { repo: string; worktree: string; options: Parameters<typeof ensureWorktree>[1] } {
  const dir = sandbox.dir();
  const repo = makeRepo(dir);
  const worktree = join(dir, "worktrees", "task-1");
  // As the task's own later runs call it: an existing task-1 branch is this task's work.
  return { repo, worktree, options: { repoPath: repo, worktreePath: worktree, branch: "task-1", baseBranch: "main", ownsBranch: true } };
}

const branchOf = (cwd: string): string => git(cwd, "symbolic-ref", "--short", "HEAD").trim();
const sha = (cwd: string, ref = "HEAD"): string => git(cwd, "rev-parse", ref).trim();

describe("defaultWorktreePath", () => {
  it("puts the worktree beside the workspace or under the configured root", () => {
    expect(defaultWorktreePath("/srv/app", 7)).toBe("/srv/app-task-7");
    expect(defaultWorktreePath("/srv/app/", 7)).toBe("/srv/app-task-7");
    expect(defaultWorktreePath("/srv/app", 7, "/data/wt/")).toBe("/data/wt/task-7");
  });
});

describe("ensureWorktree", () => {
  it("creates the branch from the base and a worktree on it, in one command", async () => {
    const { repo, worktree, options } = setup();
    const commands: string[][] = [];
    const counting = Object.assign(Object.create(t) as LocalTransport, {
      exec: (argv: string[], execOptions: Parameters<LocalTransport["exec"]>[1]) => {
        commands.push(argv);
        return t.exec(argv, execOptions);
      },
    });
    const result = await ensureWorktree(counting, options);
    expect(result).toEqual({ worktreePath: worktree, branch: "task-1", action: "created", headSha: sha(repo, "main") });
    expect(commands).toHaveLength(1);
    expect(branchOf(worktree)).toBe("task-1");
    expect(sha(worktree)).toBe(sha(repo, "main"));
    expect(read(worktree, "README.md")).toBe("hello\n");
  });

  it("starts two git commands for a new task's worktree: one for-each-ref, then worktree add at the base's commit", async () => {
    // Each process costs milliseconds on a small VM, and every dispatch pays them: a git on PATH
    // that notes its arguments before it runs the real one.
    const { repo, worktree, options } = setup();
    const shims = join(sandbox.dir(), "bin");
    mkdirSync(shims);
    const calls = join(shims, "calls.txt");
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    writeFileSync(join(shims, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const shimmed = Object.assign(Object.create(t) as LocalTransport, {
      exec: (argv: string[], execOptions: Parameters<LocalTransport["exec"]>[1]) => t.exec(argv, { ...execOptions, env: { ...execOptions?.env, PATH: `${shims}:${process.env.PATH}` } }),
    });
    const result = await ensureWorktree(shimmed, options);
    expect(result.headSha).toBe(sha(repo, "main"));
    const commands = readFileSync(calls, "utf8").trim().split("\n").map((line) => line.replace(/^(-c \S+ )+/, "").split(" ").slice(0, 2).join(" "));
    expect(commands).toEqual(["for-each-ref --format=%(objectname)", "worktree add"]);
    expect(branchOf(worktree)).toBe("task-1");
  });

  it("creates the worktree where a deleted worktree of another branch is still registered (the add fails, the careful path prunes)", async () => {
    const { repo, worktree, options } = setup();
    git(repo, "worktree", "add", "-q", "-b", "other", worktree, "main");
    rmSync(worktree, { recursive: true, force: true });
    const result = await ensureWorktree(t, options);
    expect(result.action).toBe("created");
    expect(branchOf(worktree)).toBe("task-1");
    expect((await listWorktrees(t, repo)).map((entry) => entry.path)).toEqual([repo, worktree]);
  });

  it("refuses a task's branch name when a branch below it exists (task-1/x), leaving that branch alone", async () => {
    const { repo, worktree, options } = setup();
    git(repo, "branch", "task-1/x", "main");
    await expect(ensureWorktree(t, options)).rejects.toThrow();
    expect(existsSync(worktree)).toBe(false);
    expect(git(repo, "branch", "--list", "task-1*").trim()).toBe("task-1/x");
  });

  it("creates a worktree whose path and branch hold spaces, quotes and dollar signs", async () => {
    const { repo, options } = setup();
    const worktree = join(sandbox.dir(), `it's a "$HOME" $(true) path`);
    const result = await ensureWorktree(t, { ...options, worktreePath: worktree, branch: "task-$(x)'1" });
    expect(result.action).toBe("created");
    expect(branchOf(worktree)).toBe("task-$(x)'1");
    expect(sha(worktree)).toBe(sha(repo, "main"));
  });

  it("reuses a valid worktree, keeping uncommitted work", async () => {
    const { worktree, options } = setup();
    await ensureWorktree(t, options);
    write(worktree, "wip.txt", "unsaved\n");
    expect((await ensureWorktree(t, options)).action).toBe("reused");
    expect(read(worktree, "wip.txt")).toBe("unsaved\n");
  });

  it("attaches the existing branch again after the directory was deleted by hand", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    const work = commitFiles(worktree, { "feature.txt": "done\n" });
    rmSync(worktree, { recursive: true, force: true });

    expect((await ensureWorktree(t, options)).action).toBe("attached");
    expect(branchOf(worktree)).toBe("task-1");
    expect(sha(worktree)).toBe(work);
    expect(read(worktree, "feature.txt")).toBe("done\n");
    expect((await listWorktrees(t, repo)).map((entry) => entry.path)).toEqual([repo, worktree]);
  });

  it("recreates over a plain directory, moving its files aside, without losing the branch's commits", async () => {
    const { worktree, options } = setup();
    await ensureWorktree(t, options);
    const work = commitFiles(worktree, { "feature.txt": "done\n" });
    rmSync(worktree, { recursive: true, force: true });
    write(worktree, "stray.txt", "someone's file\n");

    const result = await ensureWorktree(t, options);
    expect(result.action).toBe("recreated");
    expect(result.movedAsidePath).toBeDefined();
    expect(read(result.movedAsidePath as string, "stray.txt")).toBe("someone's file\n");
    expect(sha(worktree)).toBe(work);
    expect(existsSync(join(worktree, "stray.txt"))).toBe(false);
  });

  it("recreates over an empty directory without leaving anything aside", async () => {
    const { worktree, options } = setup();
    mkdirSync(worktree, { recursive: true });
    const result = await ensureWorktree(t, options);
    expect(result).toEqual({ worktreePath: worktree, branch: "task-1", action: "recreated" });
    expect(branchOf(worktree)).toBe("task-1");
    expect(readdirSync(join(worktree, "..")).filter((name) => name.includes("stale"))).toEqual([]);
  });

  it("does not accept another repository's checkout at the path", async () => {
    const { worktree, options } = setup();
    mkdirSync(join(worktree, ".."), { recursive: true });
    renameSync(makeRepo(sandbox.dir()), worktree);
    const result = await ensureWorktree(t, options);
    expect(result.action).toBe("recreated");
    expect(git(worktree, "rev-parse", "--git-common-dir").trim()).not.toBe(".git");
    expect(existsSync(join(result.movedAsidePath as string, ".git"))).toBe(true);
  });

  it("repairs the link when the repository was moved", async () => {
    const { repo, options } = setup();
    await ensureWorktree(t, options);
    const moved = `${repo}-moved`;
    renameSync(repo, moved);

    const result = await ensureWorktree(t, { ...options, repoPath: moved });
    expect(result.action).toBe("repaired");
    expect(git(options.worktreePath, "rev-parse", "--path-format=absolute", "--git-common-dir").trim()).toBe(
      join(moved, ".git"),
    );
  });

  it("switches a clean worktree that is on another branch back to the task's branch", async () => {
    const { worktree, options } = setup();
    await ensureWorktree(t, options);
    git(worktree, "checkout", "--quiet", "-b", "other");
    expect((await ensureWorktree(t, options)).action).toBe("reused");
    expect(branchOf(worktree)).toBe("task-1");
  });

  it("on a task's first run, refuses a branch of its name that holds commits it did not make, changing nothing", async () => {
    const { repo, worktree, options } = setup();
    git(repo, "checkout", "--quiet", "-b", "task-1");
    const theirs = commitFiles(repo, { "theirs.txt": "someone's work\n" });
    git(repo, "checkout", "--quiet", "main");
    const refused = await ensureWorktree(t, { ...options, ownsBranch: false }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorktreeError);
    expect((refused as WorktreeError).code).toBe("branch_taken");
    expect((refused as Error).message).toContain("already exists");
    expect(sha(repo, "task-1")).toBe(theirs);
    expect(existsSync(worktree)).toBe(false);
    // A branch of that name with nothing the base lacks is simply taken over.
    git(repo, "branch", "-f", "task-1", "main");
    expect((await ensureWorktree(t, { ...options, ownsBranch: false })).action).toBe("attached");
  });

  it("says so when the base branch is gone", async () => {
    const { repo, options } = setup();
    git(repo, "checkout", "--quiet", "-b", "trunk");
    git(repo, "branch", "-D", "main");
    const refused = await ensureWorktree(t, options).catch((error: unknown) => error);
    expect((refused as WorktreeError).code).toBe("no_base_branch");
    expect((refused as Error).message).toContain("The base branch main does not exist");
    expect(git(repo, "branch", "--list").trim()).toBe("* trunk");
  });

  it("refuses when the branch is checked out in another worktree", async () => {
    const { repo, options } = setup();
    await ensureWorktree(t, options);
    const elsewhere = { ...options, worktreePath: join(repo, "..", "elsewhere") };
    await expect(ensureWorktree(t, elsewhere)).rejects.toMatchObject({ code: "branch_in_use" });
    await expect(ensureWorktree(t, elsewhere)).rejects.toBeInstanceOf(WorktreeError);
  });

  it("serializes concurrent calls for tasks of one repository", async () => {
    const { repo, options } = setup();
    const paths = [1, 2, 3, 4].map((id) => join(repo, "..", "worktrees", `task-${id}`));
    await Promise.all(
      paths.map((worktreePath, i) => ensureWorktree(t, { ...options, worktreePath, branch: `task-${i + 1}` })),
    );
    expect(paths.map(branchOf)).toEqual(["task-1", "task-2", "task-3", "task-4"]);
  });
});

describe("removeWorktree", () => {
  it("removes the worktree and deletes a merged branch", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    const result = await removeWorktree(t, { repoPath: repo, worktreePath: worktree, deleteBranch: true });
    expect(result).toEqual({ worktreeRemoved: true, branchDeleted: true, stashed: [] });
    expect(existsSync(worktree)).toBe(false);
    expect(git(repo, "branch", "--list", "task-1")).toBe("");
  });

  it("keeps a dirty worktree and an unmerged branch unless forced", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    commitFiles(worktree, { "feature.txt": "done\n" });
    write(worktree, "wip.txt", "unsaved\n");
    const remove = { repoPath: repo, worktreePath: worktree, deleteBranch: true };

    await expect(removeWorktree(t, remove)).rejects.toBeInstanceOf(GitError);
    expect(read(worktree, "wip.txt")).toBe("unsaved\n");
    rmSync(join(worktree, "wip.txt"));
    await expect(removeWorktree(t, remove)).rejects.toThrow(/not fully merged/);
    expect(git(repo, "branch", "--list", "task-1").trim()).toBe("task-1");

    expect(await removeWorktree(t, { ...remove, branch: "task-1", force: true })).toEqual({
      worktreeRemoved: false,
      branchDeleted: true,
      stashed: [],
    });
  });

  it("with a stash message, stashes what is not committed and removes the worktree", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    commitFiles(worktree, { "feature.txt": "done\n", "old name.txt": "moved\n", ".gitignore": "ignored/\n" });
    write(worktree, "feature.txt", "edited, not committed\n");
    write(worktree, "out/report.txt", "a check's output\n");
    git(worktree, "mv", "old name.txt", "new name.txt");
    write(worktree, "ignored/cache.bin", "ignored\n");
    git(repo, "merge", "--quiet", "--no-edit", "task-1");

    const result = await removeWorktree(t, { repoPath: repo, worktreePath: worktree, deleteBranch: true, stashMessage: "task-1 landed" });
    expect(result.worktreeRemoved).toBe(true);
    expect(result.branchDeleted).toBe(true);
    // Ignored files are not stashed: they never keep a worktree from going.
    expect([...result.stashed].sort()).toEqual(["feature.txt", "new name.txt", "out/report.txt"]);
    expect(existsSync(worktree)).toBe(false);
    expect(git(repo, "stash", "list")).toMatch(/task-1 landed/);
    // Everything comes back from the stash: the edit, the rename and the untracked files.
    git(repo, "checkout", "--quiet", "-b", "restore");
    git(repo, "stash", "apply", "--quiet");
    expect(read(repo, "feature.txt")).toBe("edited, not committed\n");
    expect(read(repo, "out/report.txt")).toBe("a check's output\n");
    expect(existsSync(join(repo, "new name.txt"))).toBe(true);
    expect(existsSync(join(repo, "old name.txt"))).toBe(false);
  });

  it("done again after a stop cut it short past the stash, still tells what the stash holds", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    commitFiles(worktree, { "feature.txt": "done\n", "old name.txt": "moved\n" });
    write(worktree, "feature.txt", "edited, not committed\n");
    write(worktree, "out/report.txt", "a check's output\n");
    git(worktree, "mv", "old name.txt", "new name.txt");
    // The first removal stashed (as removeWorktree does), then the server stopped.
    git(worktree, "stash", "push", "--include-untracked", "--quiet", "-m", "task-1 landed");
    // And a stash of the user's own, newer, in the same repository.
    write(repo, "README.md", "the user's edit\n");
    git(repo, "stash", "push", "--quiet", "-m", "someone else's");
    const result = await removeWorktree(t, { repoPath: repo, worktreePath: worktree, stashMessage: "task-1 landed" });
    expect(result.worktreeRemoved).toBe(true);
    expect([...result.stashed].sort()).toEqual(["feature.txt", "new name.txt", "out/report.txt"]);
    // A removal with no such stash tells none.
    const other = setup();
    await ensureWorktree(t, other.options);
    expect((await removeWorktree(t, { repoPath: other.repo, worktreePath: other.worktree, stashMessage: "task-1 landed" })).stashed).toEqual([]);
  });

  it("with nothing to stash, a refusal for another reason is thrown and the worktree stays", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    git(repo, "worktree", "lock", worktree);
    await expect(removeWorktree(t, { repoPath: repo, worktreePath: worktree, stashMessage: "task-1 landed" })).rejects.toThrow(/locked/);
    expect(existsSync(worktree)).toBe(true);
    expect(git(repo, "stash", "list")).toBe("");
  });

  it("forgets a worktree whose directory is already gone", async () => {
    const { repo, worktree, options } = setup();
    await ensureWorktree(t, options);
    rmSync(worktree, { recursive: true, force: true });
    const result = await removeWorktree(t, { repoPath: repo, worktreePath: worktree });
    expect(result).toEqual({ worktreeRemoved: false, branchDeleted: false, stashed: [] });
    expect((await listWorktrees(t, repo)).map((entry) => entry.path)).toEqual([repo]);
  });
});

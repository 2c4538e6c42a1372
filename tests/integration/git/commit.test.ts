import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { commitAll, commitWorktree } from "@/server/git/commit";
import type { Transport } from "@/server/exec/transport";
import { branchChangedFiles } from "@/server/merge-queue/changed-files";
import { FALLBACK_USER_EMAIL, FALLBACK_USER_NAME } from "@/server/git/identity";
import { commitFiles, git, makeRepo, snapshot, useGitSandbox, write } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

/** What git would use as the author here without our fallback, or null when it knows none. */
function machineIdentity(cwd: string): string | null {
  try {
    const ident = execFileSync("git", ["var", "GIT_AUTHOR_IDENT"], { cwd, encoding: "utf8", stdio: "pipe" });
    return ident.replace(/ \d+ [+-]\d{4}\n$/, "");
  } catch {
    return null;
  }
}

const logField = (cwd: string, format: string): string => git(cwd, "log", "-1", `--format=${format}`);

describe("commitAll", () => {
  it("commits new, changed and deleted files and returns the sha", async () => {
    const repo = makeRepo(sandbox.dir(), { "keep.txt": "1\n", "gone.txt": "x\n" });
    write(repo, "keep.txt", "2\n");
    write(repo, "dir/new.txt", "new\n");
    rmSync(join(repo, "gone.txt"));

    const sha = await commitAll(t, { cwd: repo, message: "Task 3: übersetzt\n\nLong body line" });
    expect(sha).toBe(git(repo, "rev-parse", "HEAD").trim());
    expect(git(repo, "show", "--name-status", "--format=", "HEAD").split("\n").filter(Boolean).sort()).toEqual([
      "A\tdir/new.txt",
      "D\tgone.txt",
      "M\tkeep.txt",
    ]);
    expect(logField(repo, "%B")).toBe("Task 3: übersetzt\n\nLong body line\n\n");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("returns null and makes no commit when nothing changed", async () => {
    const repo = makeRepo(sandbox.dir());
    const before = git(repo, "rev-parse", "HEAD");
    expect(await commitAll(t, { cwd: repo, message: "nothing" })).toBeNull();
    expect(git(repo, "rev-parse", "HEAD")).toBe(before);
  });

  it("commits without any configured identity, falling back to AI-Slave", async () => {
    const repo = join(sandbox.dir(), "fresh");
    mkdirSync(repo);
    git(repo, "init", "--quiet", "--initial-branch=main");
    write(repo, "a.txt", "a\n");

    const sha = await commitAll(t, { cwd: repo, message: "first" });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const expected = machineIdentity(repo) ?? `${FALLBACK_USER_NAME} <${FALLBACK_USER_EMAIL}>`;
    expect(logField(repo, "%an <%ae>")).toBe(`${expected}\n`);
    expect(logField(repo, "%cn <%ce>")).toBe(`${expected}\n`);
  });

  it("keeps the identity the repository has", async () => {
    const repo = makeRepo(sandbox.dir());
    git(repo, "config", "user.name", "Ada");
    git(repo, "config", "user.email", "ada@example.com");
    write(repo, "b.txt", "b\n");
    await commitAll(t, { cwd: repo, message: "by Ada" });
    expect(logField(repo, "%an <%ae>")).toBe("Ada <ada@example.com>\n");
  });

  it("fills in only the missing half of an identity", async () => {
    const repo = makeRepo(sandbox.dir());
    git(repo, "config", "user.name", "Ada");
    write(repo, "c.txt", "c\n");
    await commitAll(t, { cwd: repo, message: "half" });
    const expected = machineIdentity(repo) ?? `Ada <${FALLBACK_USER_EMAIL}>`;
    expect(logField(repo, "%an <%ae>")).toBe(`${expected}\n`);
  });

  it("respects .gitignore", async () => {
    const repo = makeRepo(sandbox.dir(), { ".gitignore": "node_modules/\n" });
    write(repo, "node_modules/x.js", "x\n");
    expect(await commitAll(t, { cwd: repo, message: "ignored only" })).toBeNull();
  });
});

/** The local transport, counting its commands: one command is one round trip to a remote host. */
function counting(): { transport: Transport; commands: string[][] } {
  const commands: string[][] = [];
  const transport = new Proxy(t, {
    get(target, key, receiver) {
      if (key !== "exec") return Reflect.get(target, key, receiver);
      return (argv: string[], options: Parameters<Transport["exec"]>[1]) => {
        commands.push(argv);
        return target.exec(argv, options);
      };
    },
  });
  return { transport, commands };
}

/** A repository and a linked worktree of it on branch task-1, at a path holding a space and a quote. */
function repoWithWorktree(): { repo: string; tree: string } {
  const repo = makeRepo(sandbox.dir(), { "keep.txt": "1\n" });
  const tree = join(repo, "..", "work tree's \"1\"");
  git(repo, "worktree", "add", "--quiet", "-b", "task-1", tree, "main");
  return { repo, tree };
}

describe("commitWorktree (what a run leaves, committed on its branch)", () => {
  it("commits a worktree's changes in one command, the message intact, on the worktree's branch only", async () => {
    const { repo, tree } = repoWithWorktree();
    write(tree, "keep.txt", "2\n");
    write(tree, "new file.txt", "new\n");
    const mainBefore = git(repo, "rev-parse", "main");
    const { transport, commands } = counting();

    const sha = await commitWorktree(transport, { repoPath: repo, worktreePath: tree, message: "AI-Slave: task #1 (task-1)\n\nÜbersetzen, \"quoted\" $HOME `x`", noVerify: true });
    expect(commands).toHaveLength(1);
    expect(sha).toBe(git(repo, "rev-parse", "task-1").trim());
    expect(logField(tree, "%B")).toBe("AI-Slave: task #1 (task-1)\n\nÜbersetzen, \"quoted\" $HOME `x`\n\n");
    expect(git(tree, "show", "--name-status", "--format=", "HEAD").split("\n").filter(Boolean).sort()).toEqual(["A\tnew file.txt", "M\tkeep.txt"]);
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
    expect(git(tree, "status", "--porcelain")).toBe("");
  });

  it("answers null in one command when nothing changed, and commits nothing", async () => {
    const { repo, tree } = repoWithWorktree();
    const before = git(repo, "rev-parse", "task-1");
    const { transport, commands } = counting();
    expect(await commitWorktree(transport, { repoPath: repo, worktreePath: tree, message: "nothing" })).toBeNull();
    expect(commands).toHaveLength(1);
    expect(git(repo, "rev-parse", "task-1")).toBe(before);
  });

  it("falls back to AI-Slave's identity without a second command when git knows none", async () => {
    const { repo, tree } = repoWithWorktree();
    write(tree, "a.txt", "a\n");
    const { transport, commands } = counting();
    await commitWorktree(transport, { repoPath: repo, worktreePath: tree, message: "first" });
    expect(commands).toHaveLength(1);
    const expected = machineIdentity(tree) ?? `${FALLBACK_USER_NAME} <${FALLBACK_USER_EMAIL}>`;
    expect(logField(tree, "%an <%ae>")).toBe(`${expected}\n`);
    expect(logField(tree, "%cn <%ce>")).toBe(`${expected}\n`);
  });

  it("commits nothing in a checkout that is not a linked worktree of the repository, and says why", async () => {
    const { repo, tree } = repoWithWorktree();
    const other = makeRepo(sandbox.dir(), { "theirs.txt": "theirs\n" });
    write(other, "theirs.txt", "changed by an agent\n");
    write(repo, "keep.txt", "changed in the main checkout\n");
    write(tree, "sub/inner.txt", "x\n");
    const before = { other: snapshot(other), repo: snapshot(repo), tree: snapshot(tree) };

    await expect(commitWorktree(t, { repoPath: repo, worktreePath: other, message: "m" })).rejects.toThrow(/belongs to another repository .*nothing was committed/);
    await expect(commitWorktree(t, { repoPath: repo, worktreePath: repo, message: "m" })).rejects.toThrow(/is the main checkout, not a linked worktree; nothing was committed/);
    await expect(commitWorktree(t, { repoPath: repo, worktreePath: join(tree, "sub"), message: "m" })).rejects.toThrow(/is a subdirectory \(sub\/\) of another worktree; nothing was committed/);
    await expect(commitWorktree(t, { repoPath: repo, worktreePath: join(tree, "missing"), message: "m" })).rejects.toThrow(/nothing was committed/);
    expect({ other: snapshot(other), repo: snapshot(repo), tree: snapshot(tree) }).toEqual(before);
  });
});

describe("branchChangedFiles", () => {
  it("lists the files a branch changes since its merge base with the base, in one command", async () => {
    const { repo, tree } = repoWithWorktree();
    commitFiles(tree, { "a b.txt": "1\n", "dir/c.txt": "2\n" });
    commitFiles(repo, { "on-main.txt": "later on main\n" });
    const { transport, commands } = counting();
    expect((await branchChangedFiles(transport, repo, "main", "task-1"))?.sort()).toEqual(["a b.txt", "dir/c.txt"]);
    expect(commands).toHaveLength(1);
  });

  it("answers null for a branch that does not exist, and a git error for a base that does not", async () => {
    const { repo } = repoWithWorktree();
    expect(await branchChangedFiles(t, repo, "main", "task-2")).toBeNull();
    await expect(branchChangedFiles(t, repo, "gone", "task-1")).rejects.toThrow(/git diff .*failed|gone/);
  });
});

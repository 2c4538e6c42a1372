import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { commitAll } from "@/server/git/commit";
import { FALLBACK_USER_EMAIL, FALLBACK_USER_NAME } from "@/server/git/identity";
import { git, makeRepo, useGitSandbox, write } from "./git-fixture";

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

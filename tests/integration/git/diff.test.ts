import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { LocalTransport } from "@/server/exec/local";
import { branchDiff, MAX_PATCH_BYTES } from "@/server/git/diff";
import { capPatch } from "@/server/git/diff-cap";
import { commitFiles, git, makeRepo, tripCounting, useGitSandbox } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

const longText = Array.from({ length: 40 }, (_, i) => `line ${i}\n`).join("");

function setup(): { repo: string; mergeBase: string } {
  const repo = makeRepo(sandbox.dir(), {
    "a.txt": "one\ntwo\nthree\n",
    "b.txt": "bye\n",
    "old.txt": longText,
    "base-only.txt": "base\n",
  });
  const mergeBase = git(repo, "rev-parse", "HEAD").trim();
  git(repo, "checkout", "--quiet", "-b", "task-1");
  git(repo, "mv", "old.txt", "new name.txt");
  rmSync(join(repo, "b.txt"));
  commitFiles(repo, {
    "a.txt": "one\n2\nthree\nfour\n",
    "new name.txt": `${longText}extra\n`,
    "image.bin": Buffer.from([0, 1, 2, 0, 255, 0]),
    "ünïcode.txt": "ü\n",
  });
  git(repo, "checkout", "--quiet", "main");
  commitFiles(repo, { "base-only.txt": "base moved on\n" });
  return { repo, mergeBase };
}

describe("branchDiff", () => {
  it("lists what the branch changed since the merge base, with line counts, in one round trip", async () => {
    const { repo, mergeBase } = setup();
    const counted = tripCounting(t);
    const diff = await branchDiff(counted.transport, { repoPath: repo, baseBranch: "main", branch: "task-1" });
    // The merge base, the names, the counts and the patch are read together.
    expect([counted.trips(), counted.commands()]).toEqual([1, 4]);
    expect(diff.mergeBase).toBe(mergeBase);
    const byPath = (a: { path: string }, b: { path: string }): number => a.path.localeCompare(b.path);
    expect([...diff.files].sort(byPath)).toEqual(
      [
        { path: "a.txt", status: "modified", additions: 2, deletions: 1 },
        { path: "b.txt", status: "deleted", additions: 0, deletions: 1 },
        { path: "image.bin", status: "added", additions: null, deletions: null },
        { path: "new name.txt", status: "renamed", oldPath: "old.txt", additions: 1, deletions: 0 },
        { path: "ünïcode.txt", status: "added", additions: 1, deletions: 0 },
      ].sort(byPath),
    );
  });

  it("returns a unified patch against the merge base", async () => {
    const { repo } = setup();
    const { patch } = await branchDiff(t, { repoPath: repo, baseBranch: "main", branch: "task-1" });
    expect(patch).toContain("diff --git a/a.txt b/a.txt\n");
    expect(patch).toContain("-two\n+2\n");
    expect(patch).toContain("rename from old.txt\nrename to new name.txt\n");
    expect(patch).toContain("Binary files /dev/null and b/image.bin differ");
    expect(patch).toContain("+++ b/ünïcode.txt\n");
    expect(patch).not.toContain("base-only.txt");
  });

  it("is empty for a branch with no changes of its own", async () => {
    const repo = makeRepo(sandbox.dir());
    git(repo, "branch", "task-2");
    commitFiles(repo, { "later.txt": "x\n" });
    const diff = await branchDiff(t, { repoPath: repo, baseBranch: "main", branch: "task-2" });
    expect(diff).toEqual({ mergeBase: git(repo, "rev-parse", "task-2").trim(), files: [], patch: "", truncated: false });
  });
});

describe("the 20 MB patch cap", () => {
  it("cuts a patch over 20 MB, marking the cut file, the files left out and the whole", async () => {
    const big = Array.from({ length: 230_000 }, (_, i) => `${String(i).padStart(8, "0")} ${"x".repeat(90)}\n`).join("");
    const repo = makeRepo(sandbox.dir(), { "small.txt": "a\n" });
    git(repo, "checkout", "--quiet", "-b", "task-big");
    commitFiles(repo, { "a-small.txt": "new\n", "big.txt": big, "z-after.txt": "after\n" });
    const diff = await branchDiff(t, { repoPath: repo, baseBranch: "main", branch: "task-big" });
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_PATCH_BYTES);
    expect(diff.truncated).toBe(true);
    expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(MAX_PATCH_BYTES + 1024);
    expect(diff.patch).toContain("+new");
    expect(diff.patch).toContain("\\ AI-Slave: the diff of big.txt was cut here: the whole patch is over 20 MB");
    expect(diff.patch).toContain("\\ AI-Slave: the patch is over 20 MB and was cut; the files marked truncated are cut or left out.");
    expect(diff.patch).not.toContain("z-after.txt");
    const byPath = Object.fromEntries(diff.files.map((file) => [file.path, file]));
    expect(byPath["a-small.txt"]!.truncated).toBeUndefined();
    expect(byPath["big.txt"]).toMatchObject({ truncated: true, additions: 230_000 });
    expect(byPath["z-after.txt"]).toMatchObject({ truncated: true });
  });

  it("leaves a patch under the cap alone and counts a file ending at the cut as whole", () => {
    const patch = "diff --git a/x b/x\n+1\ndiff --git a/y b/y\n+2\n";
    expect(capPatch(patch, 100)).toEqual({ patch, truncated: false, completePaths: new Set(["x", "y"]) });
    const cut = capPatch(patch, 30);
    expect(cut).toMatchObject({ truncated: true, completePaths: new Set(["x"]) });
    expect(cut.patch).not.toContain("a/y");
  });
});

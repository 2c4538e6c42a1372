/**
 * A large repository for the worktree figure: `files` files and `commits` commits on `main`,
 * written by one `git fast-import` (seconds, not a thousand `git commit` calls) and cached under
 * bench/.cache/ (gitignored), keyed by its size. The first commit adds every file; each later one
 * changes ten of them, so history and objects look like a project's, not one huge commit.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./server";

export const CACHE_DIR = path.join(ROOT, "bench", ".cache");

/** The fast-import stream: blobs inline, one author, fixed dates (the same repo every time). */
export function fastImportStream(files: number, commits: number): string {
  const parts: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const fileName = (index: number) => `src/dir-${String(Math.floor(index / 100)).padStart(3, "0")}/file-${String(index).padStart(5, "0")}.ts`;
  const content = (index: number, version: number) => `// file ${index}, version ${version}\nexport const value${index} = ${version};\nexport function f${index}(x: number): number {\n  return x * ${index} + ${version};\n}\n`;
  for (let commit = 1; commit <= commits; commit += 1) {
    const when = 1_700_000_000 + commit * 60;
    parts.push(`commit refs/heads/main\nmark :${commit}\ncommitter Bench <bench@localhost> ${when} +0000\n${data(`commit ${commit}`)}`);
    if (commit > 1) parts.push(`from :${commit - 1}\n`);
    if (commit === 1) {
      parts.push(`M 100644 inline README.md\n${data("# large bench repo\n")}`);
      for (let index = 0; index < files - 1; index += 1) parts.push(`M 100644 inline ${fileName(index)}\n${data(content(index, 1))}`);
    } else {
      for (let k = 0; k < 10; k += 1) {
        const index = (commit * 37 + k * 1009) % (files - 1);
        parts.push(`M 100644 inline ${fileName(index)}\n${data(content(index, commit))}`);
      }
    }
    parts.push("\n");
  }
  return parts.join("");
}

/** The cached repository's path, generated on first use (a checked-out `main`). */
export function largeRepo(files: number, commits: number, cacheDir = CACHE_DIR): string {
  const repo = path.join(cacheDir, `repo-${files}-files-${commits}-commits`);
  if (fs.existsSync(path.join(repo, ".git", "bench-complete"))) return repo;
  fs.rmSync(repo, { recursive: true, force: true });
  fs.mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  const imported = spawnSync("git", ["fast-import", "--quiet"], { cwd: repo, input: fastImportStream(files, commits), maxBuffer: 64 * 1024 * 1024 });
  if (imported.status !== 0) throw new Error(`git fast-import failed: ${imported.stderr.toString()}`);
  git("checkout", "-q", "-f", "main");
  git("gc", "-q");
  fs.writeFileSync(path.join(repo, ".git", "bench-complete"), "");
  return repo;
}

/** Worktrees and branches the bench left in the cached repository (an interrupted run). */
export function pruneBenchWorktrees(repo: string, prefix: string): void {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
  git("worktree", "prune");
  for (const branch of git("for-each-ref", "--format=%(refname:short)", "refs/heads/").split("\n")) {
    if (branch.startsWith(prefix)) git("branch", "-D", branch);
  }
}

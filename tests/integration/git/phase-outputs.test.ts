import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { LogEvent } from "@/lib/schemas/logs";
import { LocalTransport } from "@/server/exec/local";
import { commitAll, commitWorktree } from "@/server/git/commit";
import { ensureWorktree } from "@/server/git/worktree";
import { runPhase } from "@/server/verify/phase";
import { git, makeRepo, useGitSandbox, write } from "./git-fixture";

const t = new LocalTransport();
const sandbox = useGitSandbox();

/** A repository ignoring node_modules/, and task-1's worktree. */
async function setup(): Promise<{ repo: string; worktree: string }> {
  const dir = sandbox.dir();
  const repo = makeRepo(dir, { "README.md": "hello\n", ".gitignore": "node_modules/\n" });
  const worktree = join(dir, "repo-task-1");
  await ensureWorktree(t, { repoPath: repo, worktreePath: worktree, branch: "task-1", baseBranch: "main" });
  return { repo, worktree };
}

async function phase(worktree: string, script: string): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  const result = await runPhase(t, { phase: "check", script, cwd: worktree, timeoutSec: 30 }, { append: (more) => events.push(...more) });
  expect(result.state).toBe("PASSED");
  return events;
}

const committedFiles = (worktree: string) => git(worktree, "ls-tree", "-r", "--name-only", "HEAD").trim().split("\n");
const messages = (events: LogEvent[]) => events.flatMap((event) => (event.kind === "system" ? [event.message] : []));

describe("what setup and check scripts make stays out of the task's commits", () => {
  it("a check's report and coverage folder are not committed with the agent's changes, and stay in the worktree", async () => {
    const { repo, worktree } = await setup();
    // The agent's file, untracked before the check: it is the agent's work and is committed.
    write(worktree, "mine.txt", "agent\n");
    const events = await phase(worktree, "mkdir -p coverage node_modules/x && echo 1 > coverage/lcov.info && echo r > 'report 1.txt' && echo i > node_modules/x/i.js && echo g > 'a*.txt'");
    expect(messages(events)).toEqual(["The check made a*.txt, coverage/, report 1.txt, which .gitignore does not cover: kept out of the task's commits, left in the worktree."]);
    write(worktree, "feature.txt", "feature\n");
    // Kept out literally: `a*.txt` is no pattern that would keep the agent's ab.txt out too.
    write(worktree, "ab.txt", "agent\n");
    write(worktree, "README.md", "hello, edited\n");
    const sha = await commitWorktree(t, { repoPath: repo, worktreePath: worktree, message: "leftovers" });
    expect(sha).not.toBeNull();
    expect(committedFiles(worktree).sort()).toEqual([".gitignore", "README.md", "ab.txt", "feature.txt", "mine.txt"]);
    expect(git(worktree, "show", "HEAD:README.md")).toBe("hello, edited\n");
    expect(git(worktree, "status", "--porcelain")).toBe('?? a*.txt\n?? coverage/\n?? "report 1.txt"\n');
  });

  it("a second phase adds to the list, and the step-by-step commit honours it too; with nothing else changed, nothing is committed", async () => {
    const { worktree } = await setup();
    await phase(worktree, "echo 1 > first.log");
    const second = await phase(worktree, "echo 2 > second.log; echo again >> first.log");
    expect(messages(second)).toEqual(["The check made second.log, which .gitignore does not cover: kept out of the task's commits, left in the worktree."]);
    const head = git(worktree, "rev-parse", "HEAD");
    expect(await commitAll(t, { cwd: worktree, message: "nothing of mine" })).toBeNull();
    write(worktree, "feature.txt", "feature\n");
    expect(await commitAll(t, { cwd: worktree, message: "mine" })).not.toBeNull();
    expect(git(worktree, "rev-parse", "HEAD~1")).toBe(head);
    expect(committedFiles(worktree).sort()).toEqual([".gitignore", "README.md", "feature.txt"]);
  });

  it("the list is the worktree's own: the repository's checkout commits such a file as before", async () => {
    const { repo, worktree } = await setup();
    await phase(worktree, "echo r > report.txt");
    write(repo, "report.txt", "the user's own\n");
    expect(await commitAll(t, { cwd: repo, message: "user" })).not.toBeNull();
    expect(git(repo, "show", "HEAD:report.txt")).toBe("the user's own\n");
  });
});

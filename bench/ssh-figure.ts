/**
 * SSH dispatch overhead, in process, against a real sshd on 127.0.0.1 (tests/fixtures/sshd.ts):
 * the worktree phase of a dispatch (`ensureWorktree` through the server's SshTransport, its pool
 * connection already open) against the same git steps by hand, in one round trip over one
 * already-open `ssh` connection (OpenSSH ControlMaster). Also one bare command both ways (`true`),
 * the per-command cost a task pays many times.
 *
 * Not measured here: the launch (tmux and the agent CLI on the host) and the finish (commit,
 * diff): the server's agent CLI lookup on the host would need a stand-in installed there.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Figure } from "./lib/results";
import { allowServerModules } from "./lib/inprocess";
import { median, now, percentile } from "./lib/stats";

export async function sshDispatch(root: string, repeats: number): Promise<Figure[]> {
  allowServerModules();
  const { startRemoteSetup } = await import("../tests/integration/remote/remote-setup");
  const { ensureWorktree } = await import("@/server/git/worktree");
  const { shellQuote: quote } = await import("@/server/exec/quote");
  const dir = path.join(root, "ssh");
  const repo = path.join(dir, "repo");
  fs.mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(repo, "README.md"), "# bench\n");
  git("add", ".");
  git("-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "initial");

  const setup = await startRemoteSetup({ docker: false });
  const control = path.join(dir, "ctl");
  const sshArgs = ["-p", String(setup.sshd.port), "-i", setup.sshd.identityFile, "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${setup.knownHostsFile}`, "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", `ControlPath=${control}`, "-o", "ControlPersist=120", `${setup.sshd.user}@${setup.sshd.host}`];
  const byHand = (command: string) => execFileSync("ssh", [...sshArgs, command], { stdio: "pipe" }).toString();
  try {
    const transport = setup.transport("bash");
    // Both connections opened (and the host key pinned) before anything is timed.
    await transport.exec(["true"], { cwd: "/" });
    byHand("true");

    const ours: number[] = [];
    const plain: number[] = [];
    const oursCommand: number[] = [];
    const plainCommand: number[] = [];
    for (let index = -1; index < repeats; index += 1) {
      const keep = index >= 0;
      let at = now();
      await transport.exec(["true"], { cwd: "/" });
      if (keep) oursCommand.push(now() - at);
      at = now();
      byHand("true");
      if (keep) plainCommand.push(now() - at);

      const tag = keep ? String(index) : "warm";
      const plainPath = path.join(dir, `plain-${tag}`);
      // The steps ensureWorktree takes for a new worktree, by hand in one shell.
      const steps = [
        `cd ${quote(repo)}`,
        "git rev-parse --git-common-dir >/dev/null",
        "git worktree prune",
        `test ! -e ${quote(plainPath)}`,
        `! git show-ref --verify --quiet refs/heads/bench-plain-${tag}`,
        "git show-ref --verify --quiet refs/heads/main",
        `git worktree add -q -b bench-plain-${tag} ${quote(plainPath)} main`,
      ].join(" && ");
      at = now();
      byHand(steps);
      if (keep) plain.push(now() - at);

      at = now();
      const result = await ensureWorktree(transport, { repoPath: repo, worktreePath: path.join(dir, `ours-${tag}`), branch: `bench-ours-${tag}`, baseBranch: "main" });
      if (keep) ours.push(now() - at);
      if (result.action !== "created") throw new Error(`ensureWorktree over SSH: ${result.action} instead of created`);
    }
    const overhead = median(ours) - median(plain);
    return [
      {
        figure: "SSH dispatch: worktree phase over SSH",
        target: "overhead median < 150 ms",
        unit: "ms",
        measured: median(ours),
        baseline: median(plain),
        limit: { value: 150, better: "lower", of: "difference" },
        note: `ensureWorktree through the server's SshTransport (pooled connection, bash login shell per command) against the same git steps in one round trip over one open ssh connection (ControlMaster), ${repeats} of each; overhead ${overhead.toFixed(0)} ms, ours p90 ${percentile(ours, 90).toFixed(0)} ms. One bare command (\`true\`): ${median(oursCommand).toFixed(0)} ms through the transport, ${median(plainCommand).toFixed(0)} ms by hand. The launch and the finish are not in this figure.`,
      },
    ];
  } finally {
    try {
      execFileSync("ssh", ["-o", `ControlPath=${control}`, "-O", "exit", "placeholder"], { stdio: "ignore" });
    } catch {
      // The master was not running.
    }
    setup.pool.destroyAll();
    await setup.stop();
  }
}

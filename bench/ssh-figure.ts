/**
 * SSH dispatch overhead, in process, against a real sshd on 127.0.0.1 (tests/fixtures/sshd.ts):
 * the worktree phase of a dispatch (`ensureWorktree` through the server's SshTransport, its pool
 * connection already open) against `git worktree add` by hand, in one round trip over one
 * already-open `ssh` connection (OpenSSH ControlMaster). Also one bare command both ways (`true`),
 * the per-command cost a task pays many times.
 *
 * The finish phase the same way: what the agent left committed on the task branch (the worktree
 * checked first, the identity fallback) and the branch's changed files read, against `git add`,
 * `git commit` and `git diff --name-only` by hand in one round trip.
 *
 * Then the whole dispatch on an SSH workspace of the production server: POST /api/tasks to the
 * stand-in agent's first byte (its first line carries the time it was written; the host is this
 * machine, so the clocks agree), against the same steps by hand in one round trip: worktree add,
 * then the stand-in started in it.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Figure } from "./lib/results";
import { allowServerModules } from "./lib/inprocess";
import { benchRepo, sentAtOf, startBenchServer, STUB, type BenchServer } from "./lib/server";
import { median, now, percentile } from "./lib/stats";

export async function sshDispatch(root: string, repeats: number): Promise<Figure[]> {
  allowServerModules();
  const { startRemoteSetup } = await import("../tests/integration/remote/remote-setup");
  const { ensureWorktree } = await import("@/server/git/worktree");
  const { shellQuote: quote } = await import("@/server/exec/quote");
  const { commitWorktree } = await import("@/server/git/commit");
  const { branchChangedFiles } = await import("@/server/merge-queue/changed-files");
  const dir = path.join(root, "ssh");
  const repo = benchRepo(path.join(dir, "repo"));

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
    const oursFinish: number[] = [];
    const plainFinish: number[] = [];
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
      // What a person types for a new worktree: no checks, no HEAD read back.
      const steps = `cd ${quote(repo)} && git worktree add -q -b bench-plain-${tag} ${quote(plainPath)} main`;
      at = now();
      byHand(steps);
      if (keep) plain.push(now() - at);

      at = now();
      const result = await ensureWorktree(transport, { repoPath: repo, worktreePath: path.join(dir, `ours-${tag}`), branch: `bench-ours-${tag}`, baseBranch: "main" });
      if (keep) ours.push(now() - at);
      if (result.action !== "created") throw new Error(`ensureWorktree over SSH: ${result.action} instead of created`);

      // The finish: a file the agent left in each worktree (the host is this machine).
      fs.writeFileSync(path.join(plainPath, "left-by-the-agent.txt"), `${tag}\n`);
      fs.writeFileSync(path.join(dir, `ours-${tag}`, "left-by-the-agent.txt"), `${tag}\n`);
      at = now();
      byHand(`cd ${quote(plainPath)} && git add --all && git -c user.name=Bench -c user.email=bench@localhost commit -q -m done && git diff --name-only -z main...bench-plain-${tag} --`);
      if (keep) plainFinish.push(now() - at);
      at = now();
      const sha = await commitWorktree(transport, { repoPath: repo, worktreePath: path.join(dir, `ours-${tag}`), message: "done", noVerify: true });
      const files = await branchChangedFiles(transport, repo, "main", `bench-ours-${tag}`);
      if (keep) oursFinish.push(now() - at);
      if (!sha || files?.join() !== "left-by-the-agent.txt") throw new Error(`the finish over SSH: commit ${sha}, files ${files?.join()}`);
    }
    const overhead = median(ours) - median(plain);
    const whole = await wholeDispatch(dir, repo, setup.sshd, byHand, quote, repeats);
    return [
      {
        figure: "SSH dispatch: worktree phase over SSH",
        target: "overhead median < 150 ms",
        unit: "ms",
        measured: median(ours),
        baseline: median(plain),
        limit: { value: 150, better: "lower", of: "difference" },
        note: `ensureWorktree through the server's SshTransport (pooled connection, the saved login environment) against \`git worktree add\` alone, in one round trip over one open ssh connection (ControlMaster), ${repeats} of each; overhead ${overhead.toFixed(0)} ms, ours p90 ${percentile(ours, 90).toFixed(0)} ms. One bare command (\`true\`): ${median(oursCommand).toFixed(0)} ms through the transport, ${median(plainCommand).toFixed(0)} ms by hand. The finish is the next figure; the launch is in the whole dispatch below.`,
      },
      {
        figure: "SSH finish: what the agent left committed, the branch's files read",
        target: "–",
        unit: "ms",
        measured: median(oursFinish),
        baseline: median(plainFinish),
        note: `commitWorktree (the worktree checked to be the repository's, \`add --all\`, the commit with the identity fallback the host needs) and branchChangedFiles through the SshTransport, as a run's end does (server/runs/commit-leftovers.ts, server/merge-queue/changed-files.ts), against \`git add --all && git commit && git diff --name-only\` by hand in one round trip over the open connection, ${repeats} of each; overhead ${(median(oursFinish) - median(plainFinish)).toFixed(0)} ms, ours p90 ${percentile(oursFinish, 90).toFixed(0)} ms. Step by step (before, nine commands and two) it was 164 ms against 34.`,
      },
      {
        figure: "SSH: one command (`true`) through the transport",
        target: "–",
        unit: "ms",
        measured: median(oursCommand),
        baseline: median(plainCommand),
        note: `exec(["true"]) through the SshTransport (pooled connection, the saved login environment), against \`ssh host true\` over the open ControlMaster connection, ${repeats} of each; ours p90 ${percentile(oursCommand, 90).toFixed(0)} ms. Every step of a task on an SSH workspace pays this.`,
      },
      whole,
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


interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  identityFile: string;
}

/**
 * POST /api/tasks on an SSH workspace to the agent's first byte, against `git worktree add` and
 * the stand-in started in the new worktree by hand, in one round trip over the open connection.
 */
async function wholeDispatch(dir: string, repo: string, sshd: SshEndpoint, byHand: (command: string) => string, quote: (value: string) => string, repeats: number): Promise<Figure> {
  const server: BenchServer = await startBenchServer(path.join(dir, "server"));
  try {
    const { body: workspace } = await server.api<{ id: number }>("/api/workspaces", {
      method: "POST",
      body: { name: "bench-ssh", type: "ssh", host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, path: repo, baseBranch: "main", loginShell: "bash" },
    });
    const put = await server.api(`/api/settings/remoteCliPath.${workspace.id}.claude_code`, { method: "PUT", body: { value: STUB } });
    if (put.status !== 200) throw new Error(`setting the stand-in as the host's CLI: ${put.status}`);
    const ours: number[] = [];
    const plain: number[] = [];
    for (let index = -1; index < repeats; index += 1) {
      const keep = index >= 0;
      const tag = keep ? String(index) : "warm";
      const worktree = path.join(dir, `whole-plain-${tag}`);
      const posted = now();
      const printed = byHand(`cd ${quote(repo)} && git worktree add -q -b whole-plain-${tag} ${quote(worktree)} main && cd ${quote(worktree)} && echo LINES:1 | ${quote(process.execPath)} ${quote(STUB)} -p --output-format stream-json`);
      if (keep) plain.push(sentAtOf(printed) - posted);

      const at = now();
      const { body: task } = await server.api<{ id: number }>("/api/tasks", { method: "POST", body: { prompt: "LINES:1", workspaceId: workspace.id, backend: "claude_code" } });
      const first = await firstLine(server, task.id);
      if (keep) ours.push(sentAtOf(first) - at);
    }
    const overhead = median(ours) - median(plain);
    return {
      figure: "SSH dispatch: POST /api/tasks to the agent's first byte, SSH workspace",
      target: "overhead median < 150 ms",
      unit: "ms",
      measured: median(ours),
      baseline: median(plain),
      limit: { value: 150, better: "lower", of: "difference" },
      note: `${repeats} tasks one after another on an SSH workspace of the production server (sshd on 127.0.0.1, the stand-in as the host's CLI); overhead ${overhead.toFixed(0)} ms, ours p90 ${percentile(ours, 90).toFixed(0)} ms. Baseline: worktree add and the stand-in started in it, by hand in one round trip over an open ssh connection, to its first byte.`,
    };
  } finally {
    await server.stop();
  }
}

/** The run's first line of agent output, once the task ended DONE. */
async function firstLine(server: BenchServer, taskId: number): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { body } = await server.api<{ status: string }>(`/api/tasks/${taskId}`);
    if (body.status === "FAILED") throw new Error(`SSH dispatch task ${taskId} FAILED`);
    if (body.status === "DONE") break;
    if (Date.now() > deadline) throw new Error(`SSH dispatch task ${taskId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { body: runs } = await server.api<{ items: { id: number }[] }>(`/api/tasks/${taskId}/runs`);
  const { body: page } = await server.api<{ items: { line?: string }[] }>(`/api/runs/${runs.items[0]!.id}/logs?limit=5`);
  const line = page.items.find((event) => event.line)?.line;
  if (!line) throw new Error(`SSH dispatch task ${taskId}: no agent output stored`);
  return line;
}

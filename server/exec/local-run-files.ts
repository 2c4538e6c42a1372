/**
 * A detached run's files on this machine, written by the server itself instead of by the launch
 * script's `mkdir`, `chmod` and `cat` (each process costs milliseconds on a small VM, and a task's
 * start waits for every one), and the agent's pid waited for without a `sleep` process per look.
 * The same rules as the launch script's (detached-scripts.ts launchScript): a private run folder
 * that the server's user owns, files of mode 0600, the environment only in its file.
 */
import fs from "node:fs/promises";
import os from "node:os";
import type { DetachedFiles } from "./detached-scripts";

export interface RunFileContents {
  /** The environment file's text (envFile). */
  env: string;
  prompt: string;
  /** The run script's text (runScript). */
  script: string;
}

/** How long the run script has to start the agent (the launch script's 3000 looks of 20 ms). */
const AGENT_START_MS = 60_000;
const LOOK_EVERY_MS = 5;

/** Writes a file of mode 0600, also when it was there with another mode. */
async function writePrivate(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, "w", 0o600);
  try {
    await handle.chmod(0o600);
    if (text) await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/**
 * Makes the run folder (0700, refused unless this user owns it and its parent), removes an earlier
 * launch's status files, writes the environment, the prompt and the run script, and empties the logs.
 */
export async function writeRunFiles(files: DetachedFiles, contents: RunFileContents): Promise<void> {
  const parent = files.dir.slice(0, files.dir.lastIndexOf("/")) || "/";
  await fs.mkdir(files.dir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  for (const dir of [parent, files.dir]) {
    const { uid: owner } = await fs.stat(dir);
    if (uid !== undefined && owner !== uid) throw new Error(`the run folder ${dir} is not owned by ${os.userInfo().username}: refusing to write there`);
    await fs.chmod(dir, 0o700);
  }
  await Promise.all([files.exit, files.pid, files.agentPid, files.agentTree].map((file) => fs.rm(file, { force: true })));
  await writePrivate(files.env, contents.env);
  await Promise.all([writePrivate(files.prompt, contents.prompt), writePrivate(files.script, contents.script), writePrivate(files.out, ""), writePrivate(files.err, "")]);
}

export async function readIfThere(file: string): Promise<string> {
  return fs.readFile(file, "utf8").catch(() => "");
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

/**
 * Once tmux took the run script: waits until the agent runs (its pid file) or already ended (the
 * exit file), and returns its pid ("" when it ended at once). A run script that never started is
 * an error, and its environment file is removed.
 */
export async function waitForAgentPid(files: DetachedFiles, timeoutMs = AGENT_START_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = (await readIfThere(files.agentPid)).trim();
    if (pid) return pid;
    if ((await exists(files.exit)) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
  if (!(await readIfThere(files.pid)).trim()) {
    await fs.rm(files.env, { force: true });
    throw new Error("the run script did not start in tmux");
  }
  return (await readIfThere(files.agentPid)).trim();
}

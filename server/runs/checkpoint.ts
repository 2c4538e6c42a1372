import "server-only";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/server/config";
import type { LogOffsets } from "@/server/exec/detached";

/**
 * How far the server got with a detached run, kept beside the database (under the tasks dir) so a
 * restarted server continues the run's log exactly: the stored log up to `seq` came from the
 * run's log files up to `offsets`; anything stored after `seq` is dropped and read again.
 */
export interface RunCheckpoint {
  runId: number;
  taskId: number;
  sessionName: string;
  logPath: string;
  offsets: LogOffsets;
  seq: number;
  /** The resumed session's cumulative counters (for the verdict's per-run figures). */
  previousCumulative: Record<string, number>;
  /** When the run's time limit ends, ISO. */
  deadline: string;
  /** The CLI that was started, for a fresh session should the resumed one be gone. */
  bin: string;
  /** Which launch of the run this is (a fresh session after a lost one is the second). */
  attempt: number;
  resumeSessionId?: string;
}

const DIR = "run-checkpoints";
/** Where servers before detached local runs kept their remote runs' checkpoints. */
const LEGACY_DIR = "remote-runs";

function checkpointFile(runId: number, dir = DIR): string {
  return path.join(config().tasksDir, dir, `run-${runId}.json`);
}

/** Folders this process made already: the next checkpoint skips the `mkdir`. */
const madeDirs = new Set<string>();

/**
 * Written to a temp file and renamed: a crash leaves the old checkpoint or the new one. Every
 * running run saves one a second, so the calls are synchronous: a small file written to the page
 * cache takes microseconds, where the promise API's open, write, close and rename each paid the
 * thread pool's round trip (about 3% of the server's busy time under 50 paced runs, profiled).
 */
export async function saveCheckpoint(checkpoint: RunCheckpoint): Promise<void> {
  const file = checkpointFile(checkpoint.runId);
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  const write = () => fsSync.writeFileSync(temp, JSON.stringify(checkpoint), { mode: 0o600 });
  if (!madeDirs.has(dir)) {
    fsSync.mkdirSync(dir, { recursive: true, mode: 0o700 });
    madeDirs.add(dir);
  }
  try {
    write();
  } catch (error) {
    // The folder went away since (removed by hand, another tasks dir in tests): made again.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    fsSync.mkdirSync(dir, { recursive: true, mode: 0o700 });
    write();
  }
  fsSync.renameSync(temp, file);
}

/**
 * Saves a followed run's checkpoints, skipping one whose offsets and seq are those of the last one
 * saved (`initial`, already on disk, to begin with): only they change while a run is followed,
 * and an agent that prints nothing for minutes (thinking, waiting on a long test) would otherwise
 * have the same file written again every second, fifty such runs fifty files a second. A save
 * that failed is not counted as saved: the next one writes. Resolves true when it wrote.
 */
export function checkpointSaver(initial: RunCheckpoint): (snapshot: RunCheckpoint) => Promise<boolean> {
  const progress = (checkpoint: RunCheckpoint) => `${checkpoint.offsets.stdout}:${checkpoint.offsets.stderr}:${checkpoint.seq}`;
  let saved = progress(initial);
  return async (snapshot) => {
    const next = progress(snapshot);
    if (next === saved) return false;
    await saveCheckpoint(snapshot);
    saved = next;
    return true;
  };
}

export async function loadCheckpoint(runId: number): Promise<RunCheckpoint | null> {
  for (const dir of [DIR, LEGACY_DIR]) {
    try {
      return JSON.parse(await fs.readFile(checkpointFile(runId, dir), "utf8")) as RunCheckpoint;
    } catch {
      // Not there.
    }
  }
  return null;
}

export async function removeCheckpoint(runId: number): Promise<void> {
  await Promise.all([DIR, LEGACY_DIR].map((dir) => fs.rm(checkpointFile(runId, dir), { force: true })));
}

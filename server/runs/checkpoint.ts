import "server-only";
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

/** Written to a temp file and renamed: a crash leaves the old checkpoint or the new one. */
export async function saveCheckpoint(checkpoint: RunCheckpoint): Promise<void> {
  const file = checkpointFile(checkpoint.runId);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(checkpoint), { mode: 0o600 });
  await fs.rename(temp, file);
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

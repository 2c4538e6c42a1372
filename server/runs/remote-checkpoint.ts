import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/server/config";
import type { LogOffsets } from "@/server/exec/ssh-detached";

/**
 * How far the server got with a remote run, kept beside the database (under the tasks dir) so a
 * restarted server continues the run's log exactly: the stored log up to `seq` came from the
 * remote logs up to `offsets`; anything stored after `seq` is dropped and read again.
 */
export interface RemoteRunCheckpoint {
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
}

function checkpointFile(runId: number): string {
  return path.join(config().tasksDir, "remote-runs", `run-${runId}.json`);
}

/** Written to a temp file and renamed: a crash leaves the old checkpoint or the new one. */
export async function saveCheckpoint(checkpoint: RemoteRunCheckpoint): Promise<void> {
  const file = checkpointFile(checkpoint.runId);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(checkpoint));
  await fs.rename(temp, file);
}

export async function loadCheckpoint(runId: number): Promise<RemoteRunCheckpoint | null> {
  try {
    return JSON.parse(await fs.readFile(checkpointFile(runId), "utf8")) as RemoteRunCheckpoint;
  } catch {
    return null;
  }
}

export async function removeCheckpoint(runId: number): Promise<void> {
  await fs.rm(checkpointFile(runId), { force: true });
}

import "server-only";
import type { RunCheckState } from "@/lib/enums";
import type { LogEvent, Phase } from "@/lib/schemas/logs";
import type { Transport } from "@/server/exec/transport";
import { keepOutOfCommits, madeBetween } from "@/server/git/phase-outputs";
import { untrackedFiles } from "@/server/git/repo";

/** Lines of a phase's output kept on the run (the log keeps all, up to its cap). */
export const OUTPUT_TAIL_LINES = 200;
const STOP_GRACE_MS = 3_000;

export interface PhaseSpec {
  phase: Phase;
  script: string;
  cwd: string;
  timeoutSec: number;
  env?: Record<string, string>;
  /** Receives the way to stop the phase early (a cancel), and null once it ended. */
  onStoppable?: (stop: ((graceMs: number) => Promise<void>) | null) => void;
}

export interface PhaseResult {
  state: RunCheckState;
  exitCode: number | null;
  durationMs: number;
  /** The last OUTPUT_TAIL_LINES lines, stdout and stderr as they came. */
  outputTail: string;
}

/** Where a phase's events go: the run's log writer. */
export interface PhaseLog {
  append(events: LogEvent[]): void;
}

/**
 * Runs a workspace's script (setup or check) in the worktree through the workspace's transport
 * and login shell, so it behaves alike on local, SSH and container workspaces. Its output goes
 * into the run log line by line as the phase's own events; past the time limit its whole process
 * group is stopped. What it makes that .gitignore does not cover is kept out of the task's
 * commits (phase-outputs.ts). Never throws for a failing script; throws when the machine cannot
 * be reached.
 */
export async function runPhase(transport: Transport, spec: PhaseSpec, log: PhaseLog): Promise<PhaseResult> {
  const untracked = await untrackedEntries(transport, spec.cwd);
  const started = Date.now();
  const tail: string[] = [];
  const keep = (stream: "stdout" | "stderr") => (line: string) => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    log.append([{ kind: "phase_output", phase: spec.phase, stream, line }]);
  };
  log.append([{ kind: "phase", phase: spec.phase, status: "running", command: spec.script, exitCode: null, durationMs: null }]);
  const child = transport.spawn(transport.userScriptArgv(spec.script), {
    cwd: spec.cwd,
    env: spec.env,
    onStdoutLine: keep("stdout"),
    onStderrLine: keep("stderr"),
  });
  let timedOut = false;
  let stopping: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    timedOut = true;
    stopping = child.terminate(STOP_GRACE_MS);
  }, spec.timeoutSec * 1000);
  spec.onStoppable?.((graceMs) => child.terminate(graceMs));
  let exit: { exitCode: number | null };
  try {
    exit = await child.exited;
  } finally {
    spec.onStoppable?.(null);
    clearTimeout(timer);
    await stopping;
  }
  const durationMs = Date.now() - started;
  const state: RunCheckState = timedOut ? "TIMED_OUT" : exit.exitCode === 0 ? "PASSED" : "FAILED";
  const status = state === "TIMED_OUT" ? "timed_out" : state === "PASSED" ? "passed" : "failed";
  if (timedOut) log.append([{ kind: "system", message: `The ${spec.phase} took longer than ${spec.timeoutSec} s and was stopped.` }]);
  log.append([{ kind: "phase", phase: spec.phase, status, command: spec.script, exitCode: exit.exitCode, durationMs }]);
  if (untracked) await keepOutputsOut(transport, spec, untracked, log);
  return { state, exitCode: exit.exitCode, durationMs, outputTail: tail.join("\n") };
}

/** What the phase made beside the untracked entries it found, kept out of commits, and said in the log. */
async function keepOutputsOut(transport: Transport, spec: PhaseSpec, before: Set<string>, log: PhaseLog): Promise<void> {
  const after = await untrackedEntries(transport, spec.cwd);
  const made = after ? madeBetween(before, after) : [];
  if (made.length === 0) return;
  const shown = made.length > 5 ? `${made.slice(0, 5).join(", ")} and ${made.length - 5} more` : made.join(", ");
  try {
    await keepOutOfCommits(transport, spec.cwd, made);
    log.append([{ kind: "system", message: `The ${spec.phase} made ${shown}, which .gitignore does not cover: kept out of the task's commits, left in the worktree.` }]);
  } catch (error) {
    log.append([{ kind: "system", message: `The ${spec.phase} made ${shown}, which .gitignore does not cover; ${error instanceof Error ? error.message : String(error)}, so a later commit of the agent's changes may take them.` }]);
  }
}

/** A worktree's untracked, not ignored entries; null when it is not one, or its machine stopped answering (nothing is recorded then). */
function untrackedEntries(transport: Transport, cwd: string): Promise<Set<string> | null> {
  return untrackedFiles(transport, cwd, { folders: true }).then(
    (entries) => new Set(entries),
    () => null,
  );
}

import "server-only";
import type { AgentAdapter, AgentCommand, RunVerdict } from "@/server/agents/types";
import { isDetachedTransport } from "@/server/exec/ssh-detached";
import type { Transport } from "@/server/exec/transport";
import type { ActiveRun } from "./active-runs";
import { lineRecorder } from "./line-recorder";
import type { RunLogWriter } from "./log-writer";
import { startRemoteAgent, type RemoteAgentIds } from "./remote-run";

export interface AgentProcessOptions {
  transport: Transport;
  adapter: AgentAdapter;
  command: AgentCommand;
  cwd: string;
  env: Record<string, string>;
  writer: RunLogWriter;
  active: ActiveRun;
  previousCumulative: Record<string, number>;
  timeoutMs: number;
  cancelGraceMs: number;
  /** Called once the process started, with its pid (stored on the run for restart recovery). */
  onStarted: (pid: number | undefined) => Promise<void>;
  /** The run's ids: on a remote transport the agent then runs detached in tmux (remote-run.ts). */
  run?: RemoteAgentIds;
}

export interface AgentProcessOutcome {
  verdict: RunVerdict;
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
}

/** Spawns one agent process, streams its parsed output into the run log and judges its end. */
export async function runAgentProcess(options: AgentProcessOptions): Promise<AgentProcessOutcome> {
  const { adapter, command, writer, active } = options;
  const parser = adapter.createParser();
  const usage = { sawUsage: false };
  const handlers = lineRecorder(parser, writer, usage);
  const { transport, run } = options;
  const child =
    isDetachedTransport(transport) && run
      ? await startRemoteAgent({ ...options, transport, run }, handlers)
      : transport.spawn(command.argv, { cwd: options.cwd, env: options.env, stdin: command.stdin, ...handlers });
  active.process = child;
  await options.onStarted(child.pid);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    writer.append([{ kind: "system", message: `Time limit of ${Math.round(options.timeoutMs / 1000)} s reached: stopping the agent.` }]);
    void child.terminate(options.cancelGraceMs);
  }, options.timeoutMs);
  // A cancel that arrived while the process was starting.
  if (active.cancelled) void child.terminate(options.cancelGraceMs);

  const { exitCode } = await child.exited.finally(() => clearTimeout(timer));
  active.process = null;
  const verdict = parser.finish(exitCode, options.previousCumulative);
  // Some CLIs only report cumulative totals; the per-run figures exist once the verdict does.
  if (!usage.sawUsage) writer.append([{ kind: "usage", usage: verdict.usage }]);
  return { verdict, exitCode, timedOut, cancelled: active.cancelled };
}

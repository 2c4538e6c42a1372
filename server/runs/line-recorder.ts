import type { LogEvent } from "@/lib/log-events";
import type { AgentStreamParser } from "@/server/agents/types";
import type { LineHandlers } from "@/server/exec/detached";
import type { RunLogWriter } from "@/server/events/log-writer";

/** An output line that produced no event is still kept, for the raw view. */
export function withFallback(events: LogEvent[], stream: "stdout" | "stderr", line: string): LogEvent[] {
  return events.length > 0 ? events : [{ kind: "line", stream, line }];
}

/** Feeds lines to the parser and the log; remembers whether the CLI reported usage itself. */
export function lineRecorder(parser: AgentStreamParser, writer: RunLogWriter | null, state: { sawUsage: boolean }): LineHandlers {
  const record = (events: LogEvent[], line: string) => {
    state.sawUsage ||= events.some((event) => event.kind === "usage");
    writer?.append(events, line);
  };
  return {
    onStdoutLine: (line) => record(withFallback(parser.pushStdout(line), "stdout", line), line),
    onStderrLine: (line) => record(withFallback(parser.pushStderr(line), "stderr", line), line),
  };
}

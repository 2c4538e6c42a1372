import type { LogEvent } from "@/lib/log-events";
import type { QuotaWindow } from "@/lib/schemas/quota";
import type { AgentStreamParser } from "@/server/agents/types";
import type { LineHandlers } from "@/server/exec/detached";
/** Where recorded events go: a run's log writer, or one that skips what is stored already. */
export interface EventSink {
  append(events: LogEvent[], line?: string): void;
}

/**
 * A sink that drops the first `count` events and passes the rest on: after a restart the lines
 * past the checkpoint are read again, and the events they make that the log already holds (with
 * the seqs clients were served) are not stored twice.
 */
export function skippingFirst(count: number, sink: EventSink): EventSink {
  let left = count;
  return {
    append(events, line) {
      if (left >= events.length) {
        left -= events.length;
        return;
      }
      const rest = events.slice(left);
      // The raw line goes with the first event of the line only.
      sink.append(rest, left === 0 ? line : undefined);
      left = 0;
    },
  };
}

/** An output line that produced no event is still kept, for the raw view. */
export function withFallback(events: LogEvent[], stream: "stdout" | "stderr", line: string): LogEvent[] {
  return events.length > 0 ? events : [{ kind: "line", stream, line }];
}

/**
 * Feeds lines to the parser and the log; remembers whether the CLI reported usage itself; hands
 * rate-limit windows on as soon as they change (the scheduler holds the account before the run ends).
 */
export function lineRecorder(parser: AgentStreamParser, writer: EventSink | null, state: { sawUsage: boolean }, onQuotaWindows?: (windows: QuotaWindow[]) => void): LineHandlers {
  let lastWindows = "[]";
  const record = (events: LogEvent[], line: string) => {
    state.sawUsage ||= events.some((event) => event.kind === "usage");
    writer?.append(events, line);
    if (!onQuotaWindows || !parser.quotaWindows) return;
    const windows = parser.quotaWindows();
    // Most lines of most runs: no window yet, none before; nothing to serialize.
    if (windows.length === 0 && lastWindows === "[]") return;
    const json = JSON.stringify(windows);
    if (json === lastWindows) return;
    lastWindows = json;
    onQuotaWindows(windows);
  };
  return {
    onStdoutLine: (line) => record(withFallback(parser.pushStdout(line), "stdout", line), line),
    onStderrLine: (line) => record(withFallback(parser.pushStderr(line), "stderr", line), line),
  };
}

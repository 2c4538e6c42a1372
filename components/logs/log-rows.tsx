import { Ban, Check, ChevronRight, CircleAlert, Loader2, X } from "lucide-react";
import { memo, useMemo } from "react";
import { cn } from "@/components/ui/cn";
import type { StoredLogEvent, ToolStatus } from "@/lib/log-events";
import type { LogRowModel, RawRowModel } from "./log-model";
import { LazyMarkdown } from "./lazy-markdown";

/** Output longer than this is cut in the view (the raw log keeps it all): one DOM node per byte is not free. */
const MAX_SHOWN_CHARS = 20_000;

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}\n… ${(text.length - MAX_SHOWN_CHARS).toLocaleString()} more characters (raw view shows them all)` : text;
}

const TOOL_STATUS: Record<ToolStatus, { label: string; className: string; icon: typeof Check }> = {
  running: { label: "running", className: "text-info", icon: Loader2 },
  ok: { label: "ok", className: "text-success", icon: Check },
  error: { label: "error", className: "text-destructive", icon: X },
  denied: { label: "denied", className: "text-warning", icon: Ban },
};

function ToolRow({ row, open, onToggle }: { row: Extract<LogRowModel, { type: "tool" }>; open: boolean; onToggle: (key: string) => void }) {
  const status = TOOL_STATUS[row.status];
  const Icon = status.icon;
  return (
    <div className="rounded-md border bg-card text-xs">
      <button
        type="button"
        className="flex w-full cursor-pointer items-center gap-2 px-2 py-1 text-left"
        aria-expanded={open}
        onClick={() => onToggle(row.key)}
      >
        <ChevronRight className={cn("size-3.5 shrink-0 text-muted-foreground transition-transform", open && "rotate-90")} />
        <span className="font-mono font-medium">{row.event.name}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-muted-foreground" title={row.event.summary}>
          {row.event.summary}
        </span>
        <span className={cn("flex shrink-0 items-center gap-1", status.className)} data-testid="tool-status" data-status={row.status}>
          <Icon className={cn("size-3.5", row.status === "running" && "animate-spin")} aria-hidden />
          {status.label}
        </span>
      </button>
      {open ? (
        <pre className="max-h-96 overflow-auto border-t px-3 py-2 font-mono whitespace-pre-wrap break-words text-muted-foreground">
          {row.result ? clip(row.result.output) || "(no output)" : "No result yet."}
        </pre>
      ) : null}
    </div>
  );
}

const PHASE_LABEL = { setup: "Setup", check: "Check" } as const;
const PHASE_STATUS = {
  running: { label: "running", className: "text-info" },
  passed: { label: "passed", className: "text-success" },
  failed: { label: "failed", className: "text-destructive" },
  timed_out: { label: "timed out", className: "text-destructive" },
} as const;

/** A setup script or check: one line with its command and result, its output folded under it. */
function PhaseRowView({ row, open, onToggle }: { row: Extract<LogRowModel, { type: "phase" }>; open: boolean; onToggle: (key: string) => void }) {
  const { event } = row;
  const status = PHASE_STATUS[event.status];
  return (
    <div className="rounded-md border bg-card text-xs" data-testid="log-phase" data-phase={event.phase} data-status={event.status}>
      <button type="button" className="flex w-full cursor-pointer items-center gap-2 px-2 py-1 text-left" aria-expanded={open} onClick={() => onToggle(row.key)}>
        <ChevronRight className={cn("size-3.5 shrink-0 text-muted-foreground transition-transform", open && "rotate-90")} />
        <span className="font-medium">{PHASE_LABEL[event.phase]}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-muted-foreground" title={event.command}>
          {event.command}
        </span>
        <span className="shrink-0 text-muted-foreground tabular-nums">{row.lines} lines</span>
        <span className={cn("flex shrink-0 items-center gap-1", status.className)}>
          {event.status === "running" ? <Loader2 className="size-3.5 animate-spin" aria-hidden /> : null}
          {status.label}
          {event.exitCode !== null && event.status !== "running" ? ` (exit ${event.exitCode}, ${((event.durationMs ?? 0) / 1000).toFixed(1)} s)` : ""}
        </span>
      </button>
      {open ? (
        <pre className="max-h-96 overflow-auto border-t px-3 py-2 font-mono whitespace-pre-wrap break-words text-muted-foreground">
          {clip(row.output.join("\n")) || "(no output)"}
        </pre>
      ) : null}
    </div>
  );
}

function EventBody({ event }: { event: StoredLogEvent }) {
  switch (event.kind) {
    case "assistant":
      return <AssistantText text={event.text} />;
    case "thinking":
      return <p className="text-xs whitespace-pre-wrap text-muted-foreground italic">{clip(event.text)}</p>;
    case "error":
      return (
        <p className="flex gap-2 rounded-md border border-destructive/30 bg-destructive/10 px-2 py-1 text-sm break-words text-destructive">
          <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span className="whitespace-pre-wrap">{clip(event.message)}</span>
        </p>
      );
    case "system":
      return <p className="text-xs whitespace-pre-wrap text-muted-foreground">{event.message}</p>;
    case "phase_output":
    case "raw":
      return <pre className={cn("font-mono text-xs whitespace-pre-wrap break-all", event.stream === "stderr" && "text-warning")}>{clip(event.line)}</pre>;
    case "tool_result":
      return <pre className="font-mono text-xs whitespace-pre-wrap break-words text-muted-foreground">{clip(event.output)}</pre>;
    default:
      return null;
  }
}

function AssistantText({ text }: { text: string }) {
  const clipped = useMemo(() => clip(text), [text]);
  return <LazyMarkdown text={clipped} className="grid gap-1 text-sm leading-relaxed break-words" />;
}

/** One row of the normal view. Memoized: a row object changes only when its content does. */
export const LogRow = memo(function LogRow({ row, open, onToggle }: { row: LogRowModel; open: boolean; onToggle: (key: string) => void }) {
  switch (row.type) {
    case "tool":
      return (
        <div data-testid="log-event" data-kind="tool_call">
          <ToolRow row={row} open={open} onToggle={onToggle} />
        </div>
      );
    case "phase":
      return (
        <div data-testid="log-event" data-kind="phase">
          <PhaseRowView row={row} open={open} onToggle={onToggle} />
        </div>
      );
    case "run":
      return (
        <div data-testid="log-run" className="flex items-center gap-2 pt-2 text-xs font-medium text-muted-foreground">
          <span className="h-px flex-1 bg-border" />
          Run #{row.runId}
          <span className="h-px flex-1 bg-border" />
        </div>
      );
    case "end":
      return (
        <div data-testid="log-end" data-status={row.status} className={cn("text-xs font-medium", row.status === "DONE" ? "text-success" : "text-destructive")}>
          Run #{row.runId} ended: {row.status}
          {row.errorClass ? ` (${row.errorClass})` : ""}
        </div>
      );
    default:
      return (
        <div data-testid="log-event" data-kind={row.event.kind}>
          <EventBody event={row.event} />
        </div>
      );
  }
});

/** What the raw view shows for an event: the output line it came from, else the event itself. */
export function rawText(event: StoredLogEvent): string {
  if (event.line !== undefined) return event.line;
  if (event.kind === "raw" || event.kind === "line" || event.kind === "phase_output") return event.line;
  const { seq: _seq, ts: _ts, ...rest } = event;
  return JSON.stringify(rest);
}

export const RawRow = memo(function RawRow({ row }: { row: RawRowModel }) {
  const stderr = (row.event.kind === "raw" || row.event.kind === "line") && row.event.stream === "stderr";
  return (
    <pre data-testid="log-event" data-kind={row.event.kind} className={cn("font-mono text-xs whitespace-pre-wrap break-all", stderr && "text-warning")}>
      {clip(rawText(row.event))}
    </pre>
  );
});

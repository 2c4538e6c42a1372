import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { PromptHistoryEntry } from "@/lib/schemas/task";

const KIND_LABELS: Record<PromptHistoryEntry["kind"], string> = { initial: "Prompt", continue: "Follow-up", retry: "Retry", auto_retry: "Auto-retry", fix: "Fix round", review: "Review", resolve: "Conflict resolution" };

/** Each turn the agent was given, oldest first. */
export function PromptHistory({ history }: { history: PromptHistoryEntry[] }) {
  if (history.length === 0) return <p className="text-sm text-muted-foreground">No prompts recorded.</p>;
  return (
    <ol className="relative grid gap-4 border-l pl-5" data-testid="prompt-history">
      {history.map((entry, index) => (
        <li key={`${entry.at}-${index}`} className="relative grid gap-1.5">
          <span className="absolute top-1.5 -left-[1.6rem] size-2.5 rounded-full border-2 border-background bg-muted-foreground/60" aria-hidden />
          <div className="flex items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={entry.kind === "initial" ? "secondary" : "info"}>{KIND_LABELS[entry.kind]}</Badge>
            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          </div>
          <pre className="max-h-80 overflow-auto rounded-lg border bg-surface px-3 py-2 font-mono text-[13px] leading-relaxed whitespace-pre-wrap break-words">
            {entry.prompt}
          </pre>
        </li>
      ))}
    </ol>
  );
}

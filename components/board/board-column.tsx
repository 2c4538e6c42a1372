import { CheckCircle2, CircleDashed, LoaderCircle, XCircle } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import type { TaskStatus } from "@/lib/enums";
import type { TaskDto } from "@/lib/schemas/task";
import { TaskCard } from "./task-card";

const COLUMN = {
  TODO: { title: "Queued", icon: CircleDashed, tone: "text-muted-foreground", empty: "Nothing queued." },
  RUNNING: { title: "Running", icon: LoaderCircle, tone: "text-info", empty: "No task is running." },
  DONE: { title: "Done", icon: CheckCircle2, tone: "text-success", empty: "Finished tasks land here." },
  FAILED: { title: "Failed", icon: XCircle, tone: "text-destructive", empty: "No failures." },
} as const;

export interface BoardColumnProps {
  status: TaskStatus;
  tasks: TaskDto[] | undefined;
  /** Shown next to the count, e.g. "2/3" running slots. */
  meta?: string;
  baseBranch?: string;
  filtered?: boolean;
}

export function BoardColumn({ status, tasks, meta, baseBranch, filtered }: BoardColumnProps) {
  const { title, icon: Icon, tone, empty } = COLUMN[status];
  const headingId = `column-${status}-title`;
  return (
    <section
      aria-labelledby={headingId}
      data-testid={`column-${status}`}
      className="flex min-w-0 flex-col gap-2 rounded-xl border bg-surface p-2"
    >
      <header className="flex items-center gap-2 px-1.5 pt-1 pb-0.5">
        <Icon className={cn("size-4", tone, status === "RUNNING" && tasks?.length && "animate-spin [animation-duration:2.5s]")} aria-hidden />
        <h2 id={headingId} className="text-sm font-semibold">
          {title}
        </h2>
        <span className="rounded-md bg-muted px-1.5 text-xs font-medium tabular-nums text-muted-foreground" aria-label={`${tasks?.length ?? 0} tasks`}>
          {tasks?.length ?? "–"}
        </span>
        {meta ? <span className="ml-auto text-xs text-muted-foreground tabular-nums">{meta}</span> : null}
      </header>
      <div className="flex flex-col gap-2">
        {!tasks ? (
          <>
            <Skeleton className="h-24 rounded-lg" />
            <Skeleton className="h-24 rounded-lg" />
          </>
        ) : tasks.length === 0 ? (
          <p className="rounded-lg border border-dashed px-3 py-6 text-center text-xs text-muted-foreground">{filtered ? "No match." : empty}</p>
        ) : (
          tasks.map((task) => <TaskCard key={task.id} task={task} baseBranch={baseBranch} />)
        )}
      </div>
    </section>
  );
}

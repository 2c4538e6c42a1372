import { Container, HardDrive, Pencil, Plus, Server, SquareKanban } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import type { WorkspaceDto } from "@/lib/schemas/workspace";
import { WorkspaceHealthBadge } from "./workspace-health-badge";
import { WORKSPACE_TYPE_LABELS, workspaceLocation } from "./workspace-location";
import { WorkspaceResources } from "./workspace-resources";

const TYPE_ICONS = { local: HardDrive, ssh: Server, ssh_container: Container } as const;

function Count({ label, value, tone }: { label: string; value: ReactNode; tone?: string }) {
  return (
    <div className="grid gap-0.5">
      <span className="text-[11px] font-medium tracking-wide text-muted-foreground uppercase">{label}</span>
      <span className={cn("text-lg leading-none font-semibold tabular-nums", tone)}>{value}</span>
    </div>
  );
}

export function WorkspaceCard({ workspace }: { workspace: WorkspaceDto }) {
  const counts = workspace.taskCounts ?? {};
  const TypeIcon = TYPE_ICONS[workspace.type];
  const boardHref = `/workspaces/${workspace.id}/board`;
  return (
    <Card
      className="group flex flex-col transition-shadow hover:shadow-md"
      data-testid="workspace-card"
      data-workspace-id={workspace.id}
    >
      <div className="flex flex-col gap-2 px-5 pt-5">
        <div className="flex items-start justify-between gap-3">
          <h2 className="min-w-0 text-[15px] font-semibold tracking-tight">
            <Link href={boardHref} className="block truncate rounded-sm outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring">
              {workspace.name}
            </Link>
          </h2>
          <WorkspaceHealthBadge workspaceId={workspace.id} />
        </div>
        <div className="flex min-w-0 items-center gap-2">
          <Badge variant="outline" className="text-muted-foreground">
            <TypeIcon aria-hidden />
            {WORKSPACE_TYPE_LABELS[workspace.type]}
          </Badge>
          <span className="truncate font-mono text-xs text-muted-foreground" title={workspaceLocation(workspace)}>
            {workspaceLocation(workspace)}
          </span>
        </div>
      </div>
      <div className="grid grid-cols-4 gap-2 px-5 pt-4">
        <Count label="Running" value={<>{counts.RUNNING ?? 0}<span className="text-sm font-normal text-muted-foreground">/{workspace.concurrencyLimit}</span></>} tone={counts.RUNNING ? "text-info" : undefined} />
        <Count label="Queued" value={counts.TODO ?? 0} />
        <Count label="Done" value={counts.DONE ?? 0} />
        <Count label="Failed" value={counts.FAILED ?? 0} tone={counts.FAILED ? "text-destructive" : undefined} />
      </div>
      <div className="flex-1 px-5 py-4">
        <WorkspaceResources workspaceId={workspace.id} gpuIndices={workspace.gpuIndices} />
      </div>
      <div className="flex items-center gap-2 border-t px-5 py-3">
        <Link href={boardHref} className={buttonVariants({ variant: "secondary", size: "sm" })}>
          <SquareKanban aria-hidden />
          Board
        </Link>
        <Link href={`/tasks/new?workspaceId=${workspace.id}`} className={buttonVariants({ variant: "ghost", size: "sm" })}>
          <Plus aria-hidden />
          New task
        </Link>
        <Link
          href={`/workspaces/${workspace.id}/edit`}
          className={cn(buttonVariants({ variant: "ghost", size: "icon-sm" }), "ml-auto text-muted-foreground")}
          aria-label={`Edit workspace ${workspace.name}`}
          title="Edit workspace"
        >
          <Pencil />
        </Link>
      </div>
    </Card>
  );
}

"use client";

import { Plus, Server } from "lucide-react";
import Link from "next/link";
import { WORKSPACE_TYPE_LABELS, workspaceLocation } from "@/components/workspaces/workspace-location";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { errorMessage } from "@/lib/api-client";
import { BACKENDS } from "@/lib/enums";
import { useModels } from "@/lib/hooks/use-models";
import { useWorkspaces } from "@/lib/hooks/use-workspaces";
import type { WorkspaceDto } from "@/lib/schemas/workspace";
import { backendLabel } from "./backend-label";
import { SectionError, SectionSkeleton, SettingsSection, stringSetting } from "./settings-section";
import { SettingTextField } from "./setting-text-field";

function RemoteWorkspaceClis({ workspace, values }: { workspace: WorkspaceDto; values: Record<string, unknown> }) {
  const { backends } = useModels();
  return (
    <div className="grid gap-3 rounded-lg border p-4" data-testid="remote-cli" data-workspace-id={workspace.id}>
      <div className="grid min-w-0 gap-1">
        <div className="flex items-center gap-2">
          <Link href={`/workspaces/${workspace.id}/board`} className="truncate text-sm font-medium underline-offset-4 hover:underline">
            {workspace.name}
          </Link>
          <Badge variant="muted">{WORKSPACE_TYPE_LABELS[workspace.type]}</Badge>
        </div>
        <p className="truncate font-mono text-xs text-muted-foreground" title={workspaceLocation(workspace)}>
          {workspaceLocation(workspace)}
        </p>
      </div>
      <div className="grid gap-4">
        {BACKENDS.map((backend) => {
          const label = backendLabel(backends, backend);
          return (
            <SettingTextField
              key={backend}
              id={`remote-cli-${workspace.id}-${backend}`}
              settingKey={`remoteCliPath.${workspace.id}.${backend}`}
              label={
                <>
                  {label} command<span className="sr-only"> on {workspace.name}</span>
                </>
              }
              subject={`the ${label} command of ${workspace.name}`}
              saved={stringSetting(values, `remoteCliPath.${workspace.id}.${backend}`)}
              placeholder={`Found through the login shell's PATH`}
            />
          );
        })}
      </div>
    </div>
  );
}

function RemoteList({ values }: { values: Record<string, unknown> }) {
  const { workspaces, error } = useWorkspaces();
  if (!workspaces) return error ? <SectionError title="Workspaces could not be loaded." message={errorMessage(error)} /> : <SectionSkeleton rows={1} />;
  const remote = workspaces.filter((workspace) => workspace.type !== "local");
  if (remote.length === 0) {
    return (
      <EmptyState
        icon={Server}
        title="No remote workspaces"
        description="Workspaces on an SSH host, or in a container on one, appear here once they exist."
        action={
          <Link href="/workspaces/new" className={buttonVariants({ variant: "outline", size: "sm" })}>
            <Plus aria-hidden />
            New workspace
          </Link>
        }
        className="py-8"
      />
    );
  }
  return remote.map((workspace) => <RemoteWorkspaceClis key={workspace.id} workspace={workspace} values={values} />);
}

export function RemoteCliSettings({ values }: { values: Record<string, unknown> }) {
  return (
    <SettingsSection
      id="remote-clis"
      title="Remote CLI paths"
      description="On a remote workspace the agent's usual command is run through the login shell. Give a path or command here when it lives elsewhere (no spaces or shell characters)."
    >
      <RemoteList values={values} />
    </SettingsSection>
  );
}

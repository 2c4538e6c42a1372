"use client";

import { CircleCheck, CircleX, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api-client";
import { BACKENDS, type Backend } from "@/lib/enums";
import { useModels } from "@/lib/hooks/use-models";
import { useHealth, type AgentCapability, type CliSource } from "@/lib/hooks/use-settings";
import { backendLabel } from "./backend-label";
import { SectionError, SettingsSection, stringSetting } from "./settings-section";
import { SettingTextField } from "./setting-text-field";

const SOURCE_LABELS: Record<CliSource, string> = {
  setting: "the path saved here",
  env: "an environment variable",
  project: "this project's node_modules/.bin",
  path: "$PATH",
};

function CliStatus({ agent }: { agent: AgentCapability | undefined }) {
  if (!agent) return <Badge variant="muted">Unknown</Badge>;
  if (agent.available) {
    return (
      <Badge variant="success">
        <CircleCheck aria-hidden />
        Found
      </Badge>
    );
  }
  return (
    <Badge variant="warning">
      <CircleX aria-hidden />
      {agent.path ? "Not working" : "Not found"}
    </Badge>
  );
}

function Detected({ agent, loading }: { agent: AgentCapability | undefined; loading: boolean }) {
  if (loading) return <Skeleton className="h-10 w-full" />;
  if (!agent?.path) {
    return <p className="text-[13px] text-muted-foreground">{agent ? "No CLI found. Its tasks cannot start until it is installed or its path is given below." : "The runner has not reported its CLIs yet."}</p>;
  }
  return (
    <dl className="grid gap-x-4 gap-y-1 text-[13px] sm:grid-cols-[5.5rem_minmax(0,1fr)]">
      <dt className="text-muted-foreground">Path</dt>
      <dd className="font-mono break-all">{agent.path}</dd>
      <dt className="text-muted-foreground">Version</dt>
      <dd className="font-mono">{agent.version ?? "did not answer --version"}</dd>
      <dt className="text-muted-foreground">Found via</dt>
      <dd>{agent.source ? SOURCE_LABELS[agent.source] : "–"}</dd>
    </dl>
  );
}

function AgentCliRow({ backend, label, envVar, agent, loading, saved }: { backend: Backend; label: string; envVar?: string; agent: AgentCapability | undefined; loading: boolean; saved: string | null }) {
  // An explicit path that is not an executable file is skipped by the runner in favour of the next candidate.
  const ignored = saved !== null && agent !== undefined && agent.source !== "setting";
  return (
    <div className="grid gap-3 rounded-lg border p-4" data-testid="agent-cli" data-backend={backend} data-available={agent?.available ?? undefined}>
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-medium">{label}</h3>
        {loading ? <Skeleton className="h-5 w-16" /> : <CliStatus agent={agent} />}
      </div>
      <Detected agent={agent} loading={loading} />
      {ignored ? (
        <p className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-[13px]">
          <TriangleAlert className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />
          <span>
            The saved path <code className="font-mono break-all">{saved}</code> is not an executable file, so it is not used.
          </span>
        </p>
      ) : null}
      <SettingTextField
        id={`cli-path-${backend}`}
        settingKey={`cliPath.${backend}`}
        label={`${label} CLI path`}
        subject={`the ${label} CLI path`}
        saved={saved}
        placeholder={agent?.path ?? "/usr/local/bin/…"}
        hint={`Absolute path of the executable. Leave it empty to detect the CLI${envVar ? ` (${envVar}, node_modules/.bin, $PATH)` : ""}.`}
      />
    </div>
  );
}

export function AgentCliSettings({ values }: { values: Record<string, unknown> }) {
  const { health, error, isLoading } = useHealth();
  const { backends } = useModels();
  const agents = health?.runner?.capabilities?.agents;
  return (
    <SettingsSection
      id="agent-clis"
      title="Agent CLIs"
      description="The CLIs that run local tasks. A path saved here wins; otherwise AI-Slave looks at the CLI's environment variable, this project's node_modules/.bin, then $PATH."
    >
      {error && !health ? <SectionError title="Detection could not be loaded." message={errorMessage(error)} /> : null}
      {BACKENDS.map((backend) => (
        <AgentCliRow
          key={backend}
          backend={backend}
          label={backendLabel(backends, backend)}
          envVar={backends?.find((entry) => entry.backend === backend)?.binEnvVar}
          agent={agents?.[backend]}
          loading={isLoading && !health}
          saved={stringSetting(values, `cliPath.${backend}`)}
        />
      ))}
    </SettingsSection>
  );
}

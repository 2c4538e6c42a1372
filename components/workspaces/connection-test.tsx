"use client";

import { Check, PlugZap, X } from "lucide-react";
import { useState } from "react";
import { mutate } from "swr";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { api, errorMessage, isMissingEndpoint } from "@/lib/api-client";
import { BACKEND_LABELS, BACKENDS } from "@/lib/enums";
import { formatBytes } from "@/lib/format";
import { workspaceHealthKey, type WorkspaceHealth } from "@/lib/hooks/use-workspace-status";
import { workspaceHealthSchema } from "@/lib/schemas/health";
import { healthVerdict } from "./workspace-health-badge";

function CheckRow({ ok, label, detail }: { ok: boolean; label: string; detail?: string | null }) {
  return (
    <li className="flex items-start gap-2 text-sm">
      {ok ? <Check className="mt-0.5 size-4 shrink-0 text-success" aria-label="ok" /> : <X className="mt-0.5 size-4 shrink-0 text-destructive" aria-label="failed" />}
      <span>
        {label}
        {detail ? <span className="ml-1.5 font-mono text-xs text-muted-foreground">{detail}</span> : null}
      </span>
    </li>
  );
}

function HealthReport({ health, remote }: { health: WorkspaceHealth; remote: boolean }) {
  const verdict = healthVerdict(health);
  return (
    <div className="grid gap-3" data-testid="connection-result" data-health={verdict.label}>
      <p className={cn("text-sm font-medium", verdict.variant === "success" ? "text-success" : verdict.variant === "warning" ? "text-warning" : "text-destructive")}>
        {verdict.label}
      </p>
      <ul className="grid gap-1.5">
        <CheckRow ok={health.reachable} label="Host reachable" />
        <CheckRow ok={health.isGitRepo} label="Git repository" detail={health.baseBranch ? `on ${health.baseBranch}` : null} />
        {remote || health.tmux ? <CheckRow ok={Boolean(health.tmux)} label="tmux" detail={health.tmux ?? "needed to run agents on a remote host"} /> : null}
        {BACKENDS.map((backend) => (
          <CheckRow key={backend} ok={Boolean(health.agents?.[backend]?.available)} label={BACKEND_LABELS[backend]} detail={health.agents?.[backend]?.version} />
        ))}
        {health.freeDiskBytes != null ? <CheckRow ok={health.freeDiskBytes > 1024 ** 3} label="Free disk" detail={formatBytes(health.freeDiskBytes)} /> : null}
      </ul>
      {health.hostKey ? (
        <p className="text-xs text-muted-foreground">
          Host key <span className="font-mono break-all text-foreground">{health.hostKey.fingerprint}</span> ({health.hostKey.source === "pinned" ? "pinned by AI-Slave" : "from known_hosts"})
        </p>
      ) : null}
      {health.error ? <p className="rounded-md bg-muted px-3 py-2 font-mono text-xs break-words text-muted-foreground">{health.error}</p> : null}
    </div>
  );
}

/** Runs the workspace health check against the saved settings and shows each finding. */
export function ConnectionTest({ workspaceId, dirty, remote }: { workspaceId?: number; dirty?: boolean; remote: boolean }) {
  const [health, setHealth] = useState<WorkspaceHealth | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);

  async function test() {
    if (!workspaceId) return;
    setTesting(true);
    setError(null);
    try {
      const result = await api.get(workspaceHealthKey(workspaceId), workspaceHealthSchema);
      setHealth(result);
      void mutate(workspaceHealthKey(workspaceId), result, { revalidate: false });
    } catch (caught) {
      setHealth(null);
      setError(isMissingEndpoint(caught) ? "This server has no health check yet." : errorMessage(caught));
    } finally {
      setTesting(false);
    }
  }

  return (
    <Card className="grid gap-4 p-5 md:grid-cols-[14rem_minmax(0,1fr)] md:gap-8">
      <div className="grid content-start gap-1">
        <h2 className="text-sm font-semibold">Connection test</h2>
        <p className="text-[13px] text-muted-foreground">Reaches the host, checks the repository, tmux and the agent CLIs.</p>
      </div>
      <div className="grid content-start gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <Button type="button" variant="outline" onClick={() => void test()} loading={testing} disabled={!workspaceId}>
            <PlugZap aria-hidden />
            Test connection
          </Button>
          <span className="text-[13px] text-muted-foreground">
            {!workspaceId ? "Create the workspace first: the test uses its saved settings." : dirty ? "Tests the saved settings, not unsaved edits." : null}
          </span>
        </div>
        {error ? (
          <p role="alert" className="text-sm text-destructive" data-testid="connection-result" data-health="error">
            {error}
          </p>
        ) : null}
        {health ? <HealthReport health={health} remote={remote} /> : null}
      </div>
    </Card>
  );
}

"use client";

import { KeyRound, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { errorMessage } from "@/lib/api-client";
import { formatRelative } from "@/lib/format";
import { clearSetting } from "@/lib/hooks/use-settings";
import { toast } from "@/lib/hooks/use-toast";
import { useWorkspaces } from "@/lib/hooks/use-workspaces";
import { SettingsSection } from "./settings-section";

const PREFIX = "hostKey.";

interface PinnedKey {
  key: string;
  /** `host:port`. */
  hostPort: string;
  fingerprint: string;
  keyType: string | null;
  pinnedAt: string | null;
}

/** The pinned keys among the settings; a value of another shape still shows, as JSON. */
function pinnedKeys(values: Record<string, unknown>): PinnedKey[] {
  return Object.entries(values)
    .filter(([key]) => key.startsWith(PREFIX))
    .map(([key, value]) => {
      const pinned = (value ?? {}) as { fingerprint?: unknown; keyType?: unknown; pinnedAt?: unknown };
      return {
        key,
        hostPort: key.slice(PREFIX.length),
        fingerprint: typeof pinned.fingerprint === "string" ? pinned.fingerprint : JSON.stringify(value),
        keyType: typeof pinned.keyType === "string" ? pinned.keyType : null,
        pinnedAt: typeof pinned.pinnedAt === "string" ? pinned.pinnedAt : null,
      };
    });
}

export function HostKeySettings({ values }: { values: Record<string, unknown> }) {
  const { workspaces } = useWorkspaces();
  const [forgetting, setForgetting] = useState<PinnedKey | null>(null);
  const keys = pinnedKeys(values);
  const usedBy = (hostPort: string) =>
    (workspaces ?? []).filter((workspace) => workspace.host && `${workspace.host}:${workspace.port ?? 22}` === hostPort).map((workspace) => workspace.name);

  async function forget(entry: PinnedKey) {
    try {
      await clearSetting(entry.key);
    } catch (error) {
      toast.error(`Could not forget the key of ${entry.hostPort}`, errorMessage(error));
      throw error;
    }
    toast.success(`Forgot the host key of ${entry.hostPort}`, "The next connection pins the key it sees.");
  }

  return (
    <SettingsSection
      id="host-keys"
      title="Pinned SSH host keys"
      description="Hosts your ~/.ssh/known_hosts does not list are trusted on first use: the key seen then is pinned, and a different key later is refused."
    >
      {keys.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No pinned host keys"
          description="When AI-Slave first connects to an SSH host that known_hosts does not vouch for, the key it pins shows here."
          className="py-8"
        />
      ) : (
        <ul className="divide-y rounded-lg border">
          {keys.map((entry) => {
            const names = usedBy(entry.hostPort);
            return (
              <li key={entry.key} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="host-key" data-host={entry.hostPort}>
                <div className="grid min-w-0 gap-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono text-sm font-medium">{entry.hostPort}</span>
                    {entry.keyType ? <Badge variant="muted">{entry.keyType}</Badge> : null}
                  </div>
                  <p className="font-mono text-xs break-all" data-testid="host-key-fingerprint">
                    {entry.fingerprint}
                  </p>
                  <p className="text-xs text-muted-foreground">
                    {entry.pinnedAt ? `Pinned ${formatRelative(entry.pinnedAt)}` : "Pinned"}
                    {names.length > 0 ? ` · used by ${names.join(", ")}` : ""}
                  </p>
                </div>
                <Button variant="outline" size="sm" onClick={() => setForgetting(entry)} aria-label={`Forget the host key of ${entry.hostPort}`}>
                  <Trash2 aria-hidden />
                  Forget
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      <ConfirmDialog
        open={forgetting !== null}
        onOpenChange={(open) => !open && setForgetting(null)}
        title={`Forget the host key of ${forgetting?.hostPort ?? ""}?`}
        description="The next connection to this host trusts and pins whatever key it presents then, without asking. Forget a key only when you know why it changed: the host was reinstalled or its SSH keys were regenerated."
        confirmLabel="Forget key"
        destructive
        onConfirm={() => (forgetting ? forget(forgetting) : undefined)}
      >
        {forgetting ? <p className="rounded-md bg-muted px-3 py-2 font-mono text-xs break-all">{forgetting.fingerprint}</p> : null}
      </ConfirmDialog>
    </SettingsSection>
  );
}

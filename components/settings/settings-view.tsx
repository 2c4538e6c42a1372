"use client";

import { RotateCw, TriangleAlert } from "lucide-react";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api-client";
import { useSettings } from "@/lib/hooks/use-settings";
import { AccountSettings } from "./account-settings";
import { AgentCliSettings } from "./agent-cli-settings";
import { DefaultSettings } from "./default-settings";
import { ForgeTokenSettings } from "./forge-token-settings";
import { HostKeySettings } from "./host-key-settings";
import { PriceTableSettings } from "./price-table-settings";
import { RemoteCliSettings } from "./remote-cli-settings";

function SettingsBody() {
  const { values, settings, error, revalidate } = useSettings();
  if (!values && error) {
    return (
      <EmptyState
        icon={TriangleAlert}
        tone="error"
        title="Settings could not be loaded"
        description={errorMessage(error)}
        action={
          <Button variant="outline" size="sm" onClick={() => void revalidate()}>
            <RotateCw aria-hidden />
            Try again
          </Button>
        }
      />
    );
  }
  if (!values || !settings) {
    return (
      <div className="grid gap-5" aria-busy="true" aria-label="Loading settings">
        <Skeleton className="h-72 rounded-xl" />
        <Skeleton className="h-48 rounded-xl" />
        <Skeleton className="h-40 rounded-xl" />
      </div>
    );
  }
  return (
    <div className="grid gap-5">
      <AgentCliSettings values={values} />
      <DefaultSettings values={values} />
      <AccountSettings />
      <PriceTableSettings values={values} />
      <ForgeTokenSettings settings={settings} />
      <RemoteCliSettings values={values} />
      <HostKeySettings values={values} />
    </div>
  );
}

export function SettingsView() {
  return (
    <div className="mx-auto grid max-w-5xl gap-6" data-testid="settings-page">
      <PageHeader title="Settings" description="Where the agent CLIs are, what new tasks start with, the tokens for pull requests, and which SSH hosts are trusted. Saved on this server, for every browser." />
      <SettingsBody />
    </div>
  );
}

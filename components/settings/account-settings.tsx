"use client";

import { Trash2, UserRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api-client";
import { PROVIDERS, PROVIDER_LABELS, type Provider } from "@/lib/enums";
import { createAccount, deleteAccount, useAccounts } from "@/lib/hooks/use-accounts";
import { toast } from "@/lib/hooks/use-toast";
import { SettingsSection } from "./settings-section";

/** "CLAUDE_CODE_OAUTH_TOKEN=WORK_CLAUDE_TOKEN" lines to the env map (the server checks the names). */
function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n").map((entry) => entry.trim()).filter(Boolean)) {
    const [name, ...rest] = line.split("=");
    env[name!.trim()] = rest.join("=").trim();
  }
  return env;
}

function AddAccount() {
  const [provider, setProvider] = useState<Provider>(PROVIDERS[0]);
  const [label, setLabel] = useState("");
  const [priority, setPriority] = useState("0");
  const [configDir, setConfigDir] = useState("");
  const [env, setEnv] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await createAccount({ provider, label, priority: Number(priority) || 0, configDir: configDir.trim() || null, env: parseEnvLines(env) });
      toast.success(`Added the account ${label}`);
      setLabel("");
      setConfigDir("");
      setEnv("");
    } catch (error) {
      toast.error("Could not add the account", errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} className="grid gap-3 rounded-lg border p-4 sm:grid-cols-2" data-testid="account-form">
      <Field id="account-provider" label="Provider">
        {(control) => (
          <Select {...control} value={provider} onChange={(event) => setProvider(event.target.value as Provider)}>
            {PROVIDERS.map((entry) => (
              <option key={entry} value={entry}>
                {PROVIDER_LABELS[entry]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="account-label" label="Label">
        {(control) => <Input {...control} value={label} onChange={(event) => setLabel(event.target.value)} placeholder="work" required />}
      </Field>
      <Field id="account-priority" label="Priority" hint="Lower is tried first.">
        {(control) => <Input {...control} type="number" value={priority} onChange={(event) => setPriority(event.target.value)} />}
      </Field>
      <Field id="account-config-dir" label="Config directory" hint="CLAUDE_CONFIG_DIR / CODEX_HOME on the host the agent runs on.">
        {(control) => <Input {...control} value={configDir} onChange={(event) => setConfigDir(event.target.value)} placeholder="/home/me/.claude-work" />}
      </Field>
      <Field id="account-env" label="Variables" hint="One per line: CLI_VARIABLE=SERVER_VARIABLE. The server variable's name only; its value stays in the server's environment." className="sm:col-span-2">
        {(control) => <Textarea {...control} rows={2} value={env} onChange={(event) => setEnv(event.target.value)} placeholder="CLAUDE_CODE_OAUTH_TOKEN=WORK_CLAUDE_TOKEN" className="font-mono text-xs" />}
      </Field>
      <div className="sm:col-span-2">
        <Button type="submit" size="sm" disabled={busy || !label.trim()}>
          Add account
        </Button>
      </div>
    </form>
  );
}

/** Several accounts per provider: the scheduler gives each task one whose windows have room. */
export function AccountSettings() {
  const { accounts } = useAccounts();
  async function remove(id: number, label: string) {
    try {
      await deleteAccount(id);
      toast.success(`Removed the account ${label}`);
    } catch (error) {
      toast.error(`Could not remove ${label}`, errorMessage(error));
    }
  }
  return (
    <SettingsSection
      id="accounts"
      title="Provider accounts"
      description="With none, agents use the server's own environment. With several, each task gets the first account (by priority) whose rate-limit windows are below the hold threshold (quotaHoldThreshold, 90% by default); a continued task keeps its account."
    >
      <div className="grid gap-4">
        {accounts && accounts.length === 0 ? (
          <EmptyState icon={UserRound} title="No accounts" description="Every provider uses its implicit default account." className="py-6" />
        ) : (
          <ul className="divide-y rounded-lg border">
            {(accounts ?? []).map((account) => (
              <li key={account.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="account" data-label={account.label}>
                <div className="grid min-w-0 gap-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="text-sm font-medium">{account.label}</span>
                    <Badge variant="muted">{PROVIDER_LABELS[account.provider]}</Badge>
                    <span className="text-xs text-muted-foreground">priority {account.priority}</span>
                  </div>
                  <p className="font-mono text-xs break-all text-muted-foreground">
                    {[account.configDir, ...Object.entries(account.env).map(([name, source]) => `${name}=$${source}`)].filter(Boolean).join(" · ") || "no config directory or variables"}
                  </p>
                  {account.missingEnv.length > 0 ? <p className="text-xs text-warning">Not set on the server: {account.missingEnv.join(", ")}</p> : null}
                </div>
                <Button variant="outline" size="sm" onClick={() => void remove(account.id, account.label)} aria-label={`Remove the account ${account.label}`}>
                  <Trash2 aria-hidden />
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        )}
        <AddAccount />
      </div>
    </SettingsSection>
  );
}

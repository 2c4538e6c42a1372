"use client";

import { KeyRound, X } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { errorMessage, isApiError } from "@/lib/api-client";
import { clearSetting, saveSetting } from "@/lib/hooks/use-settings";
import { toast } from "@/lib/hooks/use-toast";
import type { ForgeTokenSource, SettingsResponse } from "@/lib/schemas/settings";
import { SettingsSection } from "./settings-section";

const FORGES = [
  { forge: "github", label: "GitHub", envVar: "GITHUB_TOKEN", key: "githubToken" },
  { forge: "gitlab", label: "GitLab", envVar: "GITLAB_TOKEN", key: "gitlabToken" },
] as const;

function sourceText(source: ForgeTokenSource | null, envVar: string): string {
  if (source === "settings") return "Set here";
  if (source === "environment") return `From ${envVar}`;
  return "Not set";
}

/** One write-only token: the server says whether it is set and where from, never its value. */
function ForgeTokenField({ label, envVar, settingKey, source }: { label: string; envVar: string; settingKey: string; source: ForgeTokenSource | null }) {
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<"set" | "clear" | null>(null);
  const subject = `the ${label} token`;

  async function run(action: "set" | "clear") {
    setBusy(action);
    setError(undefined);
    try {
      if (action === "set") await saveSetting(settingKey, draft.trim());
      else await clearSetting(settingKey);
      setDraft("");
      toast.success(action === "set" ? `Set ${subject}` : `Cleared ${subject}`);
    } catch (caught) {
      setError(errorMessage(caught));
      if (!isApiError(caught) || caught.status !== 400) toast.error(`Could not ${action} ${subject}`, errorMessage(caught));
    } finally {
      setBusy(null);
    }
  }

  const id = `forge-token-${settingKey}`;
  return (
    <form
      noValidate
      data-testid={id}
      onSubmit={(event) => {
        event.preventDefault();
        if (draft.trim() !== "" && busy === null) void run("set");
      }}
    >
      <Field
        id={id}
        label={
          <span className="flex items-center gap-2">
            {label} token
            <Badge variant={source === null ? "muted" : "secondary"} data-testid={`${id}-source`}>
              {sourceText(source, envVar)}
            </Badge>
          </span>
        }
        hint={source === "environment" ? `A token set here is used instead of ${envVar}.` : `Used for pull requests; without one here, ${envVar} from the server's environment is.`}
        error={error}
      >
        {(control) => (
          <div className="flex flex-wrap gap-2 sm:flex-nowrap">
            <Input
              {...control}
              type="password"
              value={draft}
              onChange={(event) => {
                setDraft(event.target.value);
                setError(undefined);
              }}
              placeholder={source === "settings" ? "•••••••• (set; type to replace)" : "Paste a token"}
              className="font-mono max-sm:basis-full"
              autoComplete="off"
              spellCheck={false}
            />
            <Button type="submit" variant="outline" loading={busy === "set"} disabled={draft.trim() === "" || busy !== null} aria-label={`Set ${subject}`}>
              <KeyRound aria-hidden />
              Set
            </Button>
            <Button variant="ghost" loading={busy === "clear"} disabled={source !== "settings" || busy !== null} onClick={() => void run("clear")} aria-label={`Clear ${subject}`}>
              <X aria-hidden />
              Clear
            </Button>
          </div>
        )}
      </Field>
    </form>
  );
}

/** Tokens for pushing pull requests to GitHub and GitLab: write-only, they win over the server's environment. */
export function ForgeTokenSettings({ settings }: { settings: SettingsResponse }) {
  return (
    <SettingsSection
      id="forge-tokens"
      title="Pull requests"
      description="Tokens for opening pull requests (GitHub) and merge requests (GitLab). Stored on this server and never shown again; one set here wins over the server's environment."
    >
      {FORGES.map(({ forge, label, envVar, key }) => (
        <ForgeTokenField key={forge} label={label} envVar={envVar} settingKey={key} source={forge === "github" ? settings.githubTokenSource : settings.gitlabTokenSource} />
      ))}
    </SettingsSection>
  );
}

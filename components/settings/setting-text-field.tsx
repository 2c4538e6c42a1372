"use client";

import { Save, X } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { errorMessage, isApiError } from "@/lib/api-client";
import { clearSetting, saveSetting } from "@/lib/hooks/use-settings";
import { toast } from "@/lib/hooks/use-toast";

export interface SettingTextFieldProps {
  id: string;
  settingKey: string;
  label: ReactNode;
  /** What the value is, for the toasts: "the Claude Code CLI path". */
  subject: string;
  /** The saved value; null when the setting is not set. */
  saved: string | null;
  placeholder?: string;
  hint?: ReactNode;
}

/** A text setting with its own Save and Clear: each saves on its own, with the server's verdict inline. */
export function SettingTextField({ id, settingKey, label, subject, saved, placeholder, hint }: SettingTextFieldProps) {
  const [draft, setDraft] = useState(saved ?? "");
  const [shown, setShown] = useState(saved);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<"save" | "clear" | null>(null);

  // A new saved value (ours or from another tab) replaces the draft.
  if (shown !== saved) {
    setShown(saved);
    setDraft(saved ?? "");
    setError(undefined);
  }

  const value = draft.trim();
  const canSave = value !== "" && value !== (saved ?? "") && busy === null;

  async function run(action: "save" | "clear") {
    setBusy(action);
    setError(undefined);
    try {
      if (action === "save") await saveSetting(settingKey, value);
      else await clearSetting(settingKey);
      toast.success(action === "save" ? `Saved ${subject}` : `Cleared ${subject}`);
    } catch (caught) {
      setError(errorMessage(caught));
      // A refused value is explained under the field; anything else also gets a toast.
      if (!isApiError(caught) || caught.status !== 400) toast.error(`Could not ${action} ${subject}`, errorMessage(caught));
    } finally {
      setBusy(null);
    }
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (canSave) void run("save");
      }}
    >
      <Field id={id} label={label} hint={hint} error={error}>
        {(control) => (
          <div className="flex flex-wrap gap-2 sm:flex-nowrap">
            <Input
              {...control}
              value={draft}
              onChange={(event) => {
                setDraft(event.target.value);
                setError(undefined);
              }}
              placeholder={placeholder}
              className="font-mono max-sm:basis-full"
              autoComplete="off"
              spellCheck={false}
            />
            <Button type="submit" variant="outline" loading={busy === "save"} disabled={!canSave} aria-label={`Save ${subject}`}>
              <Save aria-hidden />
              Save
            </Button>
            <Button
              variant="ghost"
              loading={busy === "clear"}
              disabled={saved === null || busy !== null}
              onClick={() => void run("clear")}
              aria-label={`Clear ${subject}`}
            >
              <X aria-hidden />
              Clear
            </Button>
          </div>
        )}
      </Field>
    </form>
  );
}

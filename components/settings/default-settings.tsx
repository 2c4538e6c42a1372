"use client";

import { Save } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { errorMessage, isApiError } from "@/lib/api-client";
import { BACKENDS, type Backend } from "@/lib/enums";
import { useModels, type BackendInfo } from "@/lib/hooks/use-models";
import { clearSetting, saveSetting } from "@/lib/hooks/use-settings";
import { toast } from "@/lib/hooks/use-toast";
import { SectionError, SectionSkeleton, SettingsSection, stringSetting } from "./settings-section";

const OTHER_MODEL = "__other__";
const DEFAULT_BACKEND_KEY = "defaultBackend";
const modelKey = (backend: Backend) => `defaultModel.${backend}`;

/** "" stands for "not set": the built-in default applies. */
interface DefaultsValues {
  backend: string;
  models: Record<Backend, { choice: string; custom: string }>;
}

function formFrom(values: Record<string, unknown>, backends: BackendInfo[]): DefaultsValues {
  const models = Object.fromEntries(
    BACKENDS.map((backend) => {
      const saved = stringSetting(values, modelKey(backend));
      const listed = backends.find((entry) => entry.backend === backend)?.models ?? [];
      if (saved === null) return [backend, { choice: "", custom: "" }];
      return [backend, listed.some((option) => option.id === saved) ? { choice: saved, custom: "" } : { choice: OTHER_MODEL, custom: saved }];
    }),
  ) as DefaultsValues["models"];
  return { backend: stringSetting(values, DEFAULT_BACKEND_KEY) ?? "", models };
}

/** Each setting as the form would leave it: a value, or null to remove it. */
function desiredSettings(form: DefaultsValues): [string, string | null][] {
  return [
    [DEFAULT_BACKEND_KEY, form.backend || null],
    ...BACKENDS.map((backend): [string, string | null] => {
      const { choice, custom } = form.models[backend];
      return [modelKey(backend), choice === OTHER_MODEL ? custom.trim() : choice || null];
    }),
  ];
}

function modelLabel(info: BackendInfo, id: string): string {
  return info.models.find((option) => option.id === id)?.label ?? id;
}

export function DefaultSettings({ values }: { values: Record<string, unknown> }) {
  const { backends, error } = useModels();
  return (
    <SettingsSection
      id="defaults"
      title="Defaults for new tasks"
      description="What the new-task form starts with. A browser that queued a task before keeps the agent it used last."
    >
      {backends ? <DefaultsEditor values={values} backends={backends} /> : error ? <SectionError title="The models could not be loaded." message={errorMessage(error)} /> : <SectionSkeleton rows={1} />}
    </SettingsSection>
  );
}

interface Edits {
  backend?: string;
  models: Partial<DefaultsValues["models"]>;
}

function DefaultsEditor({ values, backends }: { values: Record<string, unknown>; backends: BackendInfo[] }) {
  // Only what the user changed is kept; the rest follows the saved values.
  const [edits, setEdits] = useState<Edits>({ models: {} });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  const savedForm = formFrom(values, backends);
  const form: DefaultsValues = { backend: edits.backend ?? savedForm.backend, models: { ...savedForm.models, ...edits.models } };
  const saved = desiredSettings(savedForm);
  const changes = desiredSettings(form).filter(([, value], index) => value !== saved[index]![1]);
  const info = (backend: Backend) => backends.find((entry) => entry.backend === backend)!;

  function setModel(backend: Backend, patch: Partial<DefaultsValues["models"][Backend]>) {
    setEdits((current) => ({ ...current, models: { ...current.models, [backend]: { ...form.models[backend], ...patch } } }));
    setErrors((current) => ({ ...current, [modelKey(backend)]: "" }));
  }

  /** Drops the edits behind the given settings: they are saved now. */
  function settle(keys: string[]) {
    setEdits((current) => ({
      backend: keys.includes(DEFAULT_BACKEND_KEY) ? undefined : current.backend,
      models: Object.fromEntries(Object.entries(current.models).filter(([backend]) => !keys.includes(modelKey(backend as Backend)))),
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local = Object.fromEntries(changes.filter(([, value]) => value === "").map(([key]) => [key, "Give a model name."]));
    setErrors(local);
    if (Object.keys(local).length > 0 || changes.length === 0) return;
    setSaving(true);
    const failed: Record<string, string> = {};
    for (const [key, value] of changes) {
      try {
        if (value === null) await clearSetting(key);
        else await saveSetting(key, value);
      } catch (caught) {
        failed[key] = errorMessage(caught);
        if (!isApiError(caught) || caught.status !== 400) toast.error("Could not save the defaults", errorMessage(caught));
      }
    }
    settle(changes.map(([key]) => key).filter((key) => !failed[key]));
    setErrors(failed);
    setSaving(false);
    if (Object.keys(failed).length === 0) toast.success("Saved the defaults for new tasks");
  }

  const builtInBackend = BACKENDS[0];
  return (
    <form noValidate onSubmit={(event) => void submit(event)} className="grid gap-4" aria-label="Defaults for new tasks">
      <Field id="default-backend" label="Default agent" error={errors[DEFAULT_BACKEND_KEY] || undefined} className="sm:max-w-[calc(50%-0.5rem)]">
        {(control) => (
          <Select
            {...control}
            value={form.backend}
            onChange={(event) => {
              setEdits((current) => ({ ...current, backend: event.target.value }));
              setErrors((current) => ({ ...current, [DEFAULT_BACKEND_KEY]: "" }));
            }}
          >
            <option value="">Built-in default · {info(builtInBackend).label}</option>
            {BACKENDS.map((backend) => (
              <option key={backend} value={backend}>
                {info(backend).label}
                {info(backend).available ? "" : " (not installed)"}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        {BACKENDS.map((backend) => {
          const entry = info(backend);
          const { choice, custom } = form.models[backend];
          const error = errors[modelKey(backend)] || undefined;
          return (
            <div key={backend} className="grid content-start gap-3">
              <Field id={`default-model-${backend}`} label={`Default model for ${entry.label}`} error={choice === OTHER_MODEL ? undefined : error}>
                {(control) => (
                  <Select {...control} value={choice} onChange={(event) => setModel(backend, { choice: event.target.value })}>
                    <option value="">Built-in default · {modelLabel(entry, entry.builtInDefaultModel)}</option>
                    {entry.models.map((option) => (
                      <option key={option.id} value={option.id}>
                        {option.label}
                      </option>
                    ))}
                    <option value={OTHER_MODEL}>Other…</option>
                  </Select>
                )}
              </Field>
              {choice === OTHER_MODEL ? (
                <Field id={`default-model-name-${backend}`} label={`Model name for ${entry.label}`} hint="Any model name the CLI accepts." error={error}>
                  {(control) => <Input {...control} value={custom} onChange={(event) => setModel(backend, { custom: event.target.value })} className="font-mono" autoComplete="off" spellCheck={false} />}
                </Field>
              ) : null}
            </div>
          );
        })}
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t pt-4">
        <p className="text-[13px] text-muted-foreground">{changes.length > 0 ? "Unsaved changes." : "The new-task form starts with these."}</p>
        <Button type="submit" loading={saving} disabled={changes.length === 0}>
          <Save aria-hidden />
          Save defaults
        </Button>
      </div>
    </form>
  );
}

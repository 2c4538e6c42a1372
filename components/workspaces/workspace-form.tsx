"use client";

import { Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { mutate } from "swr";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage, fieldErrors, isApiError } from "@/lib/api-client";
import { LOGIN_SHELLS, WORKSPACE_TYPES, type WorkspaceType } from "@/lib/enums";
import { toast } from "@/lib/hooks/use-toast";
import { workspaceKey, workspacesKey } from "@/lib/hooks/use-workspaces";
import { workspaceSchema, type WorkspaceDto } from "@/lib/schemas/workspace";
import { ConnectionTest } from "./connection-test";
import { EMPTY_WORKSPACE_FORM, formFromWorkspace, toWorkspacePayload, type WorkspaceFormValues } from "./workspace-form-state";
import { WORKSPACE_TYPE_LABELS } from "./workspace-location";

const TYPE_HINTS: Record<WorkspaceType, string> = {
  local: "A repository on this machine.",
  ssh: "A repository on another machine, reached with ssh (keys from your ssh config or agent).",
  ssh_container: "A repository inside a running container on an SSH host (docker exec).",
};

function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <Card className="grid gap-5 p-5 md:grid-cols-[14rem_minmax(0,1fr)] md:gap-8">
      <div className="grid content-start gap-1">
        <h2 className="text-sm font-semibold">{title}</h2>
        <p className="text-[13px] text-muted-foreground">{description}</p>
      </div>
      <div className="grid gap-4">{children}</div>
    </Card>
  );
}

/** Creates a workspace, or edits one when `workspace` is given. */
export function WorkspaceForm({ workspace }: { workspace?: WorkspaceDto }) {
  const mode = workspace ? "edit" : "create";
  const router = useRouter();
  const [initial] = useState<WorkspaceFormValues>(() => (workspace ? formFromWorkspace(workspace) : EMPTY_WORKSPACE_FORM));
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const set = <K extends keyof WorkspaceFormValues>(key: K) => (value: WorkspaceFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setErrors((current) => ({ ...current, [key === "timeoutMinutes" ? "taskTimeoutSec" : key]: "" }));
  };
  const text = (key: keyof WorkspaceFormValues) => ({
    value: values[key],
    onChange: (event: { target: { value: string } }) => set(key)(event.target.value as never),
  });

  /** After a refused submit, the first field with an error gets the focus. */
  function focusFirstError(form: HTMLFormElement) {
    requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const { payload, errors: local } = toWorkspacePayload(values, mode);
    setFormError(null);
    if (!payload) {
      setErrors(local);
      focusFirstError(form);
      return;
    }
    setSaving(true);
    try {
      const saved = workspace
        ? await api.patch(workspaceKey(workspace.id), workspaceSchema, payload)
        : await api.post(workspacesKey, workspaceSchema, payload);
      await mutate(workspaceKey(saved.id), saved, { revalidate: false });
      void mutate(workspacesKey);
      toast.success(workspace ? `Saved ${saved.name}` : `Created ${saved.name}`);
      router.push(`/workspaces/${saved.id}/board`);
    } catch (error) {
      const byField = fieldErrors(error, "workspace");
      setErrors(byField);
      focusFirstError(form);
      const mapped = Object.keys(byField).length > 0;
      setFormError(mapped ? "Some fields need attention." : errorMessage(error));
      if (!isApiError(error) || !mapped) toast.error(workspace ? "Could not save the workspace" : "Could not create the workspace", errorMessage(error));
      setSaving(false);
    }
  }

  const remote = values.type !== "local";
  const error = (key: string) => errors[key] || undefined;

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="grid gap-5" aria-label={workspace ? "Edit workspace" : "New workspace"}>
      <FormError message={formError} />
      <Section title="General" description="What the workspace is called and where it lives.">
        <Field id="ws-type" label="Type" hint={workspace ? "The type is fixed once the workspace exists." : TYPE_HINTS[values.type]} error={error("type")}>
          {(control) => (
            <Select {...control} name="type" value={values.type} onChange={(event) => set("type")(event.target.value as WorkspaceType)} disabled={Boolean(workspace)}>
              {WORKSPACE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {WORKSPACE_TYPE_LABELS[type]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="ws-name" label="Name" error={error("name")}>
          {(control) => <Input {...control} name="name" required autoComplete="off" placeholder="my-service" {...text("name")} autoFocus={!workspace} />}
        </Field>
        <Field id="ws-notes" label="Notes" hint="For you and your team; agents do not see them." error={error("notes")}>
          {(control) => <Textarea {...control} name="notes" rows={3} {...text("notes")} />}
        </Field>
      </Section>

      {remote ? (
        <Section title="Connection" description="How AI-Slave reaches the host. Commands run through the login shell, so your profile applies.">
          <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_7rem]">
            <Field id="ws-host" label="Host" error={error("host")}>
              {(control) => <Input {...control} name="host" required placeholder="gpu-box.example.com" autoComplete="off" {...text("host")} />}
            </Field>
            <Field id="ws-port" label="Port" error={error("port")}>
              {(control) => <Input {...control} name="port" inputMode="numeric" {...text("port")} />}
            </Field>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="ws-user" label="User" hint="Defaults to your ssh config." error={error("user")}>
              {(control) => <Input {...control} name="user" autoComplete="off" {...text("user")} />}
            </Field>
            <Field id="ws-identity" label="Identity file" hint="Absolute path of a private key." error={error("identityFile")}>
              {(control) => <Input {...control} name="identityFile" placeholder="/home/me/.ssh/id_ed25519" className="font-mono" {...text("identityFile")} />}
            </Field>
          </div>
          {values.type === "ssh_container" ? (
            <Field id="ws-container" label="Container name" error={error("containerName")}>
              {(control) => <Input {...control} name="containerName" required autoComplete="off" {...text("containerName")} />}
            </Field>
          ) : null}
        </Section>
      ) : null}

      <Section title="Repository" description="The git checkout tasks branch from. Each task gets a worktree on branch task-{id}.">
        <Field id="ws-path" label="Repository path" hint={remote ? "Absolute path on the remote host (or in the container)." : "Absolute path of a git repository on this machine."} error={error("path")}>
          {(control) => <Input {...control} name="path" required placeholder="/home/me/src/project" className="font-mono" {...text("path")} />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="ws-base-branch" label="Base branch" hint="Optional: defaults to the repository's current branch." error={error("baseBranch")}>
            {(control) => <Input {...control} name="baseBranch" placeholder="main" className="font-mono" autoComplete="off" {...text("baseBranch")} />}
          </Field>
          <Field id="ws-login-shell" label="Login shell" error={error("loginShell")}>
            {(control) => (
              <Select {...control} name="loginShell" value={values.loginShell} onChange={(event) => set("loginShell")(event.target.value as WorkspaceFormValues["loginShell"])}>
                {LOGIN_SHELLS.map((shell) => (
                  <option key={shell} value={shell}>
                    {shell}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <Field id="ws-worktree-root" label="Worktree folder" hint="Optional: where task worktrees go. Defaults to a folder beside the repository." error={error("worktreeRoot")}>
          {(control) => <Input {...control} name="worktreeRoot" className="font-mono" {...text("worktreeRoot")} />}
        </Field>
      </Section>

      <Section title="Execution" description="How many tasks run at once here, on which GPUs, and for how long at most.">
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ws-concurrency" label="Concurrency limit" error={error("concurrencyLimit")}>
            {(control) => <Input {...control} name="concurrencyLimit" type="number" min={1} max={64} {...text("concurrencyLimit")} />}
          </Field>
          <Field id="ws-gpus" label="GPU indices" hint="Comma list, e.g. 0, 1. Empty: none." error={error("gpuIndices")}>
            {(control) => <Input {...control} name="gpuIndices" placeholder="0, 1" className="font-mono" {...text("gpuIndices")} />}
          </Field>
          <Field id="ws-timeout" label="Task timeout (minutes)" error={error("taskTimeoutSec")}>
            {(control) => <Input {...control} name="taskTimeoutMinutes" type="number" min={1} {...text("timeoutMinutes")} />}
          </Field>
        </div>
      </Section>

      <ConnectionTest workspaceId={workspace?.id} remote={remote} dirty={JSON.stringify(values) !== JSON.stringify(initial)} />

      <div className="sticky bottom-0 z-10 -mx-4 flex justify-end gap-2 border-t bg-background/85 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6">
        <Link href={workspace ? `/workspaces/${workspace.id}/board` : "/"} className={buttonVariants({ variant: "outline" })}>
          Cancel
        </Link>
        <Button type="submit" loading={saving}>
          <Save aria-hidden />
          {workspace ? "Save changes" : "Create workspace"}
        </Button>
      </div>
    </form>
  );
}

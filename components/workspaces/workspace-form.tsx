"use client";

import { Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRef, useState, type ReactNode } from "react";
import { useForm, useWatch } from "react-hook-form";
import { mutate } from "swr";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage, fieldErrors, isApiError } from "@/lib/api-client";
import { BACKEND_LABELS, BACKENDS, LOGIN_SHELLS, WORKSPACE_TYPES, type WorkspaceType } from "@/lib/enums";
import { toast } from "@/lib/hooks/use-toast";
import { workspaceKey, workspacesKey } from "@/lib/hooks/use-workspaces";
import { workspaceSchema, type WorkspaceCreateInput, type WorkspaceDto, type WorkspaceUpdateInput } from "@/lib/schemas/workspace";
import { ConnectionTest } from "./connection-test";
import { MergingFields } from "./merging-section";
import {
  EMPTY_WORKSPACE_FORM,
  formFromWorkspace,
  workspaceCreateFormSchema,
  workspaceEditFormSchema,
  type WorkspaceFormValues,
} from "./workspace-form-state";
import { WORKSPACE_TYPE_LABELS } from "./workspace-location";

type WorkspacePayload = WorkspaceCreateInput | WorkspaceUpdateInput;

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
  const form = useForm<WorkspaceFormValues, unknown, WorkspacePayload>({
    resolver: zodResolver(workspace ? workspaceEditFormSchema : workspaceCreateFormSchema),
    defaultValues: workspace ? formFromWorkspace(workspace) : EMPTY_WORKSPACE_FORM,
  });
  const { register, control, setError, formState } = form;
  const [type, loginShell] = useWatch({ control, name: ["type", "loginShell"] });
  const [formError, setFormError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  /** After a refused submit, the first field with an error gets the focus. */
  function focusFirstError() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  async function save(payload: WorkspacePayload) {
    setFormError(null);
    try {
      const saved = workspace
        ? await api.patch(workspaceKey(workspace.id), workspaceSchema, payload)
        : await api.post(workspacesKey, workspaceSchema, payload);
      setLeaving(true);
      await mutate(workspaceKey(saved.id), saved, { revalidate: false });
      void mutate(workspacesKey);
      toast.success(workspace ? `Saved ${saved.name}` : `Created ${saved.name}`);
      router.push(`/workspaces/${saved.id}/board`);
    } catch (error) {
      const byField = fieldErrors(error, "workspace");
      // Errors carry the request's field names; the form shows them under those names.
      for (const [field, message] of Object.entries(byField)) setError(field as keyof WorkspaceFormValues, { message });
      focusFirstError();
      const mapped = Object.keys(byField).length > 0;
      setFormError(mapped ? "Some fields need attention." : errorMessage(error));
      if (!isApiError(error) || !mapped) toast.error(workspace ? "Could not save the workspace" : "Could not create the workspace", errorMessage(error));
    }
  }

  const remote = type !== "local";
  const errors = formState.errors as Record<string, { message?: string } | undefined>;
  const error = (key: string) => errors[key]?.message || undefined;

  return (
    <form ref={formRef} onSubmit={(event) => void form.handleSubmit(save, focusFirstError)(event)} noValidate className="grid gap-5" aria-label={workspace ? "Edit workspace" : "New workspace"}>
      <FormError message={formError} />
      <Section title="General" description="What the workspace is called and where it lives.">
        <Field id="ws-type" label="Type" hint={workspace ? "The type is fixed once the workspace exists." : TYPE_HINTS[type]} error={error("type")}>
          {(control) => (
            <Select {...control} {...register("type")} value={type} disabled={Boolean(workspace)}>
              {WORKSPACE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {WORKSPACE_TYPE_LABELS[type]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="ws-name" label="Name" error={error("name")}>
          {(control) => <Input {...control} {...register("name")} required autoComplete="off" placeholder="my-service" autoFocus={!workspace} />}
        </Field>
        <Field id="ws-notes" label="Notes" hint="For you and your team; agents do not see them." error={error("notes")}>
          {(control) => <Textarea {...control} {...register("notes")} rows={3} />}
        </Field>
      </Section>

      {remote ? (
        <Section title="Connection" description="How AI-Slave reaches the host. Commands run through the login shell, so your profile applies.">
          <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_7rem]">
            <Field id="ws-host" label="Host" error={error("host")}>
              {(control) => <Input {...control} {...register("host")} required placeholder="gpu-box.example.com" autoComplete="off" />}
            </Field>
            <Field id="ws-port" label="Port" error={error("port")}>
              {(control) => <Input {...control} {...register("port")} inputMode="numeric" />}
            </Field>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="ws-user" label="User" hint="Defaults to your ssh config." error={error("user")}>
              {(control) => <Input {...control} {...register("user")} autoComplete="off" />}
            </Field>
            <Field id="ws-identity" label="Identity file" hint="Absolute path of a private key." error={error("identityFile")}>
              {(control) => <Input {...control} {...register("identityFile")} placeholder="/home/me/.ssh/id_ed25519" className="font-mono" />}
            </Field>
          </div>
          {type === "ssh_container" ? (
            <Field id="ws-container" label="Container name" error={error("containerName")}>
              {(control) => <Input {...control} {...register("containerName")} required autoComplete="off" />}
            </Field>
          ) : null}
        </Section>
      ) : null}

      <Section title="Repository" description="The git checkout tasks branch from. Each task gets a worktree on branch task-{id}.">
        <Field id="ws-path" label="Repository path" hint={remote ? "Absolute path on the remote host (or in the container)." : "Absolute path of a git repository on this machine."} error={error("path")}>
          {(control) => <Input {...control} {...register("path")} required placeholder="/home/me/src/project" className="font-mono" />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="ws-base-branch" label="Base branch" hint="Optional: defaults to the repository's current branch." error={error("baseBranch")}>
            {(control) => <Input {...control} {...register("baseBranch")} placeholder="main" className="font-mono" autoComplete="off" />}
          </Field>
          <Field id="ws-login-shell" label="Login shell" error={error("loginShell")}>
            {(control) => (
              <Select {...control} {...register("loginShell")} value={loginShell}>
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
          {(control) => <Input {...control} {...register("worktreeRoot")} className="font-mono" />}
        </Field>
      </Section>

      <Section title="Execution" description="How many tasks run at once here, on which GPUs, and for how long at most.">
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ws-concurrency" label="Concurrency limit" error={error("concurrencyLimit")}>
            {(control) => <Input {...control} {...register("concurrencyLimit")} type="number" min={1} max={64} />}
          </Field>
          <Field id="ws-gpus" label="GPU indices" hint="Comma list, e.g. 0, 1: every agent gets them, and tasks asking for GPUs pick among them. Empty: none, or any for such tasks." error={error("gpuIndices")}>
            {(control) => <Input {...control} {...register("gpuIndices")} placeholder="0, 1" className="font-mono" />}
          </Field>
          <Field id="ws-timeout" label="Task timeout (minutes)" error={error("taskTimeoutSec")}>
            {(control) => <Input {...control} {...register("timeoutMinutes")} type="number" min={1} />}
          </Field>
        </div>
        <div className="grid items-end gap-4 sm:grid-cols-3">
          <div className="sm:col-span-2">
            <Checkbox {...register("agentMcp")} label="Agents may queue subtasks here (AI-Slave's MCP server, Claude Code)" data-testid="ws-agent-mcp" />
          </div>
          <Field id="ws-min-memory" label="Free memory to start (MB)" hint="No agent starts while the host has less available. 0: no check." error={error("minFreeMemoryMb")}>
            {(control) => <Input {...control} {...register("minFreeMemoryMb")} type="number" min={0} />}
          </Field>
          <Field id="ws-max-subtasks" label="Subtasks per task" error={error("maxSubtasks")}>
            {(control) => <Input {...control} {...register("maxSubtasks")} type="number" min={0} max={100} />}
          </Field>
        </div>
      </Section>

      <Section title="Checks and review" description="What proves a task's work: a setup script for each new worktree, a check after every agent run, and a second agent that reviews it.">
        <Field id="ws-setup" label="Setup script" hint="Runs once in each new worktree before the first agent run, in the workspace's login shell, e.g. npm ci. Empty: none." error={error("setupScript")}>
          {(control) => <Textarea {...control} {...register("setupScript")} rows={2} className="font-mono text-[13px]" placeholder="npm ci" />}
        </Field>
        <Field id="ws-check" label="Check command" hint="Runs in the worktree after every agent run, e.g. npm test. A failure sends the agent its output. Empty: none." error={error("checkCommand")}>
          {(control) => <Textarea {...control} {...register("checkCommand")} rows={2} className="font-mono text-[13px]" placeholder="npm test" />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ws-setup-timeout" label="Setup limit (minutes)" error={error("setupTimeoutSec")}>
            {(control) => <Input {...control} {...register("setupTimeoutMinutes")} type="number" min={1} />}
          </Field>
          <Field id="ws-check-timeout" label="Check limit (minutes)" error={error("checkTimeoutSec")}>
            {(control) => <Input {...control} {...register("checkTimeoutMinutes")} type="number" min={1} />}
          </Field>
          <Field id="ws-fix-rounds" label="Fix rounds" hint="0 to 5: how often a failing check goes back to the agent." error={error("fixRounds")}>
            {(control) => <Input {...control} {...register("fixRounds")} type="number" min={0} max={5} />}
          </Field>
        </div>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ws-reviewer" label="Reviewer" hint="The agent that reviews each task's work. Tasks can override it." error={error("reviewBackend")}>
            {(control) => (
              <Select {...control} {...register("reviewBackend")}>
                <option value="">No review</option>
                {BACKENDS.map((backend) => (
                  <option key={backend} value={backend}>
                    {BACKEND_LABELS[backend]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field id="ws-review-model" label="Reviewer model" hint="Empty: the backend's default model." error={error("reviewModel")}>
            {(control) => <Input {...control} {...register("reviewModel")} className="font-mono" autoComplete="off" />}
          </Field>
          <Field id="ws-review-rounds" label="Review rounds" hint="1 to 5 reviews before a person decides." error={error("reviewRounds")}>
            {(control) => <Input {...control} {...register("reviewRounds")} type="number" min={1} max={5} />}
          </Field>
        </div>
      </Section>

      <Section title="Merging" description="The merge queue lands DONE tasks one at a time: rebased on the base, checked, fast-forwarded.">
        <MergingFields register={register} error={error} />
      </Section>

      <ConnectionTest workspaceId={workspace?.id} remote={remote} dirty={formState.isDirty} />

      <div className="sticky bottom-0 z-10 -mx-4 flex justify-end gap-2 border-t bg-background/85 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6">
        <Link href={workspace ? `/workspaces/${workspace.id}/board` : "/"} className={buttonVariants({ variant: "outline" })}>
          Cancel
        </Link>
        <Button type="submit" loading={formState.isSubmitting || leaving}>
          <Save aria-hidden />
          {workspace ? "Save changes" : "Create workspace"}
        </Button>
      </div>
    </form>
  );
}

"use client";

import { Send, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from "react";
import { useForm, useWatch, type UseFormRegister } from "react-hook-form";
import { mutate } from "swr";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { Input } from "@/components/ui/input";
import { Kbd } from "@/components/ui/kbd";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { PROVIDER_LABELS } from "@/components/usage/quota-banners";
import { api, errorMessage, fieldErrors, isApiError } from "@/lib/api-client";
import { AGENT_BACKENDS, BACKEND_LABELS, BACKENDS, type Backend } from "@/lib/enums";
import { formatRelative } from "@/lib/format";
import { readStorage, writeStorage } from "@/lib/hooks/use-local-storage";
import { useModels, type BackendInfo } from "@/lib/hooks/use-models";
import { toast } from "@/lib/hooks/use-toast";
import { usePools } from "@/lib/hooks/use-pools";
import { useWorkspaces } from "@/lib/hooks/use-workspaces";
import { NO_REVIEWER, OTHER_MODEL, WORKSPACE_REVIEWER, taskFormSchema, taskSchema, type TaskCreateInput, type TaskFormValues } from "@/lib/schemas/task";
import { onSubmitShortcut } from "./submit-shortcut";
import { ParentsPicker } from "./parents-picker";
import { TaskTargetSelect } from "./task-target-select";
import { WorkspaceHealthWarning } from "./workspace-health-warning";

const DRAFT_KEY = "ai-slave:new-task:draft";
const PREFS_KEY = "ai-slave:new-task:prefs";

interface Prefs {
  workspaceId?: number;
  backend?: Backend;
}

/** What /api/models says about a backend; while it loads, only its name is known. */
function backendInfo(backends: BackendInfo[] | undefined, backend: Backend): BackendInfo {
  const { label, provider, providerLabel } = AGENT_BACKENDS[backend];
  return (
    backends?.find((entry) => entry.backend === backend) ?? {
      backend, label, provider, providerLabel, cliName: "", binEnvVar: "", available: true, cliVersion: null, cliPath: null,
      defaultModel: "", builtInDefaultModel: "", models: [], freeFormModels: true, permissionModes: [], defaultPermissionMode: "", costSource: "reported", quota: null,
    }
  );
}

function backendNote(info: BackendInfo): string {
  const notes = [];
  if (!info.available) notes.push("not installed");
  if (info.quota?.state === "EXHAUSTED") notes.push("quota exhausted");
  return notes.length ? ` (${notes.join(", ")})` : "";
}

/** Who reviews the task: the workspace's reviewer, none, or another agent with its model. */
function ReviewerFields({ register, reviewer, workspaceReviewer }: { register: UseFormRegister<TaskFormValues>; reviewer: string; workspaceReviewer: Backend | null }) {
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Field id="task-reviewer" label="Reviewer" hint="A second agent reviews the work after its checks.">
        {(control) => (
          <Select {...control} {...register("reviewer")} value={reviewer}>
            <option value={WORKSPACE_REVIEWER}>Workspace default ({workspaceReviewer ? BACKEND_LABELS[workspaceReviewer] : "no review"})</option>
            <option value={NO_REVIEWER}>No review</option>
            {BACKENDS.map((value) => (
              <option key={value} value={value}>
                {BACKEND_LABELS[value]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {reviewer !== WORKSPACE_REVIEWER && reviewer !== NO_REVIEWER ? (
        <Field id="task-review-model" label="Reviewer model" hint="Empty: the backend's default model.">
          {(control) => <Input {...control} {...register("reviewModel")} className="font-mono" autoComplete="off" />}
        </Field>
      ) : null}
    </div>
  );
}

export function NewTaskForm({ initialWorkspaceId }: { initialWorkspaceId?: number }) {
  const router = useRouter();
  const { workspaces } = useWorkspaces();
  const { pools } = usePools();
  const { backends, defaultBackend } = useModels();
  const form = useForm<TaskFormValues, unknown, TaskCreateInput>({
    resolver: zodResolver(taskFormSchema),
    defaultValues: {
      workspaceId: initialWorkspaceId ?? 0,
      poolId: 0,
      title: "",
      backend: "claude_code",
      // Both are set from /api/models (the adapter's lists) once it answers; empty ones are left out of the request.
      model: "",
      customModel: "",
      permissionMode: "",
      prompt: "",
      reviewer: WORKSPACE_REVIEWER,
      reviewModel: "",
      parents: [],
      dependencyMode: "merged",
      fallbackBackend: "",
      gpus: "",
    },
  });
  const { control, register, setValue, getValues, clearErrors, setError, formState } = form;
  const [workspaceId, poolId, backend, model, permissionMode, prompt, reviewer] = useWatch({ control, name: ["workspaceId", "poolId", "backend", "model", "permissionMode", "prompt", "reviewer"] });
  const pool = poolId ? pools?.find((entry) => entry.id === poolId) : undefined;
  // A pool task copies its first member's settings (the reviewer); it has no parents and no fixed host.
  const settingsFrom = pool ? pool.workspaceIds[0] : workspaceId;
  const [draftLoaded, setDraftLoaded] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // The backend this browser used last: undefined until read, null when there is none.
  const [rememberedBackend, setRememberedBackend] = useState<Backend | null>();
  // Set once the agent and model were preselected from the server's defaults, or the user picked one.
  const preselected = useRef(false);
  const info = useMemo(() => backendInfo(backends, backend), [backends, backend]);

  useEffect(() => {
    const draft = readStorage(DRAFT_KEY);
    if (draft) setValue("prompt", draft);
    setDraftLoaded(true);
    const prefs = JSON.parse(readStorage(PREFS_KEY) ?? "{}") as Prefs;
    const remembered = prefs.backend && BACKENDS.includes(prefs.backend) ? prefs.backend : null;
    setRememberedBackend(remembered);
    if (remembered) chooseBackend(remembered);
    if (!initialWorkspaceId && prefs.workspaceId) setValue("workspaceId", prefs.workspaceId);
    // The draft and preferences are read once, after mount; the draft is kept as it is typed.
    const { unsubscribe } = form.watch((values, { name }) => {
      if (name === "prompt") writeStorage(DRAFT_KEY, values.prompt ? values.prompt : null);
    });
    return unsubscribe;
  }, []);

  useEffect(() => {
    // Once /api/models answers: the remembered agent, else the server's default one, with the server's default model.
    if (preselected.current || rememberedBackend === undefined || !backends || !defaultBackend) return;
    preselected.current = true;
    chooseBackend(rememberedBackend ?? defaultBackend);
  }, [rememberedBackend, backends, defaultBackend]);

  useEffect(() => {
    // An agent picked before /api/models answered has no model or permission mode yet: its defaults fill them.
    if (!backends || !preselected.current) return;
    const values = getValues();
    if (!values.model && !values.permissionMode) chooseBackend(values.backend);
  }, [backends]);

  useEffect(() => {
    // The only workspace, or a remembered one that no longer exists: pick a valid one.
    if (!workspaces || workspaces.length === 0) return;
    if (!workspaces.some((workspace) => workspace.id === workspaceId)) setValue("workspaceId", workspaces[0]!.id);
  }, [workspaces, workspaceId]);

  function chooseBackend(next: Backend) {
    const nextInfo = backendInfo(backends, next);
    // A default model of the user's own (Settings) is not in the list: it shows as "Other…" (a
    // backend with free-form names takes it in its text field as it is).
    const listed = nextInfo.freeFormModels || nextInfo.models.some((option) => option.id === nextInfo.defaultModel);
    setValue("backend", next);
    setValue("model", listed ? nextInfo.defaultModel : OTHER_MODEL);
    if (!listed) setValue("customModel", nextInfo.defaultModel);
    setValue("permissionMode", nextInfo.defaultPermissionMode);
    clearErrors(["backend", "model", "permissionMode"]);
  }

  function chooseTarget(target: { workspaceId: number } | { poolId: number }) {
    if ("poolId" in target) {
      setValue("poolId", target.poolId);
      setValue("parents", []);
    } else {
      setValue("poolId", 0);
      setValue("workspaceId", target.workspaceId);
    }
    clearErrors("workspaceId");
  }

  /** A choice of the user's, which the server's defaults no longer replace. */
  function pickBackend(next: Backend) {
    preselected.current = true;
    chooseBackend(next);
  }

  function focusFirstError() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  async function create(input: TaskCreateInput) {
    setFormError(null);
    try {
      const task = await api.post("/api/tasks", taskSchema, input);
      setLeaving(true);
      setValue("prompt", "");
      writeStorage(DRAFT_KEY, null);
      writeStorage(PREFS_KEY, JSON.stringify({ workspaceId: input.workspaceId, backend: input.backend } satisfies Prefs));
      void mutate((key) => typeof key === "string" && (key.startsWith("/api/tasks?") || key === "/api/workspaces"));
      toast({ title: `Task #${task.number} queued`, description: task.title, variant: "success", action: { label: "Open task", href: `/tasks/${task.id}` } });
      // A pool task shows on its members' boards until it is placed.
      const board = task.workspaceId ?? pools?.find((entry) => entry.id === task.poolId)?.workspaceIds[0];
      router.push(board ? `/workspaces/${board}/board` : `/tasks/${task.id}`);
    } catch (error) {
      const byField = fieldErrors(error, "task");
      if (isApiError(error) && ["unprocessable:workspace", "not_found:pool", "unprocessable:pool_empty", "unprocessable:task_target"].includes(error.code)) byField.workspaceId = error.message;
      for (const [field, message] of Object.entries(byField)) {
        if (field in getValues()) setError(field as keyof TaskFormValues, { message });
      }
      setFormError(errorMessage(error));
      focusFirstError();
    }
  }

  const submit = form.handleSubmit(create, focusFirstError);
  const submitting = formState.isSubmitting || leaving;

  const error = (key: keyof TaskFormValues) => formState.errors[key]?.message || undefined;
  const noWorkspaces = workspaces !== undefined && workspaces.length === 0;

  return (
    <form
      ref={formRef}
      onSubmit={(event) => void submit(event)}
      onKeyDown={onSubmitShortcut(() => (submitting ? undefined : submit()))}
      noValidate
      aria-label="New task"
      className="grid gap-5"
    >
      <FormError message={formError} />
      {noWorkspaces ? (
        <div className="rounded-lg border border-warning/40 bg-warning/10 px-4 py-3 text-sm">
          There is no workspace yet.{" "}
          <Link href="/workspaces/new" className="font-medium underline underline-offset-4">
            Create one
          </Link>{" "}
          first.
        </div>
      ) : null}
      <Card className="grid gap-4 p-5">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id="task-workspace"
            label="Workspace"
            error={error("workspaceId")}
            hint={pool ? "The scheduler places it on the member with a free slot and the most room." : undefined}
          >
            {(control) => (
              <TaskTargetSelect {...control} workspaces={workspaces} pools={pools} workspaceId={workspaceId} poolId={poolId ?? 0} onTarget={chooseTarget} />
            )}
          </Field>
          <Field id="task-title" label="Title" hint="Optional: the prompt's first line otherwise." error={error("title")}>
            {(control) => <Input {...control} {...register("title")} maxLength={200} autoComplete="off" />}
          </Field>
        </div>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="task-backend" label="Agent" error={error("backend")} hint={info.cliVersion ? `CLI ${info.cliVersion}` : undefined}>
            {(control) => (
              <Select {...control} {...register("backend", { onChange: (event: ChangeEvent<HTMLSelectElement>) => pickBackend(event.target.value as Backend) })} value={backend}>
                {BACKENDS.map((value) => {
                  const entry = backendInfo(backends, value);
                  return (
                    <option key={value} value={value}>
                      {entry.label}
                      {backendNote(entry)}
                    </option>
                  );
                })}
              </Select>
            )}
          </Field>
          {info.freeFormModels ? (
            <Field id="task-model" label="Model" error={error("model")} hint="Any name the CLI's providers take; well-known ones are suggested.">
              {(control) => (
                <>
                  <Input
                    {...control}
                    {...register("model", { onChange: () => void (preselected.current = true) })}
                    value={model}
                    list="task-model-options"
                    className="font-mono"
                    autoComplete="off"
                    spellCheck={false}
                  />
                  <datalist id="task-model-options">
                    {info.models.map((option) => (
                      <option key={option.id} value={option.id}>
                        {option.label}
                      </option>
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          ) : (
            <Field id="task-model" label="Model" error={error("model")}>
              {(control) => (
                <Select {...control} {...register("model", { onChange: () => void (preselected.current = true) })} value={model}>
                  {info.models.map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.label}
                      {option.id === info.defaultModel ? " · default" : ""}
                    </option>
                  ))}
                  <option value={OTHER_MODEL}>Other…</option>
                </Select>
              )}
            </Field>
          )}
          <Field id="task-permission" label={backend === "codex_cli" ? "Sandbox" : "Permission mode"} error={error("permissionMode")}>
            {(control) => (
              <Select {...control} {...register("permissionMode", { onChange: () => void (preselected.current = true) })} value={permissionMode}>
                {info.permissionModes.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}
                    {mode === info.defaultPermissionMode ? " · default" : ""}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        {model === OTHER_MODEL ? (
          <Field id="task-custom-model" label="Model name" hint="Any model name the CLI accepts." error={error("model")}>
            {(control) => <Input {...control} {...register("customModel")} className="font-mono" autoFocus />}
          </Field>
        ) : null}
        <ReviewerFields register={register} reviewer={reviewer} workspaceReviewer={workspaces?.find((entry) => entry.id === settingsFrom)?.reviewBackend ?? null} />
        {pool ? null : <ParentsPicker register={register} workspaceId={workspaceId || null} />}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="task-fallback" label="Fallback agent" hint="Runs the task when every account of its provider is held by its rate limits." error={error("fallbackBackend")}>
            {(control) => (
              <Select {...control} {...register("fallbackBackend")}>
                <option value="">None: wait for the quota</option>
                {BACKENDS.filter((entry) => entry !== backend).map((entry) => (
                  <option key={entry} value={entry}>
                    {BACKEND_LABELS[entry]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field id="task-gpus" label="GPUs" hint="Idle GPUs it needs on the workspace's host (CUDA_VISIBLE_DEVICES)." error={error("gpus")}>
            {(control) => <Input {...control} {...register("gpus")} type="number" min={0} max={16} inputMode="numeric" placeholder="0" />}
          </Field>
        </div>
        {pool ? null : <WorkspaceHealthWarning workspaceId={workspaceId || null} backend={backend} />}
        {!info.available || info.quota?.state === "EXHAUSTED" ? (
          <p className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-[13px]" data-testid="backend-warning">
            <TriangleAlert className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />
            <span>
              {!info.available ? `${info.label} was not found on the runner: its tasks cannot start until it is installed. ` : null}
              {info.quota?.state === "EXHAUSTED"
                ? `The ${PROVIDER_LABELS[info.provider]} quota is exhausted${info.quota.resetsAt ? ` (resets ${formatRelative(info.quota.resetsAt)})` : ""}: the task will wait in the queue.`
                : null}
            </span>
          </p>
        ) : null}
        <Field id="task-prompt" label="Prompt" error={error("prompt")} hint={draftLoaded && prompt ? "Draft saved in this browser." : undefined}>
          {(control) => (
            <Textarea
              {...control}
              {...register("prompt")}
              rows={14}
              spellCheck={false}
              placeholder={"Fix the flaky test in tests/api/login.test.ts.\n\nThe token expiry is compared in local time; use UTC."}
              className="min-h-64 font-mono text-[13px] leading-relaxed"
              autoFocus
            />
          )}
        </Field>
      </Card>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-xs text-muted-foreground">
          <Kbd>Ctrl</Kbd> / <Kbd>⌘</Kbd> + <Kbd>Enter</Kbd> to queue
        </p>
        <div className="flex gap-2">
          <Link href={workspaceId ? `/workspaces/${workspaceId}/board` : "/"} className={buttonVariants({ variant: "outline" })}>
            Cancel
          </Link>
          <Button type="submit" loading={submitting} disabled={noWorkspaces}>
            <Send aria-hidden />
            Queue task
          </Button>
        </div>
      </div>
    </form>
  );
}

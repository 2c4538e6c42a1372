"use client";

import type { UseFormRegister } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { WorkspaceFormValues } from "./workspace-form-state";

/** The workspace's merge queue and remote: auto-merge, conflict resolution by the agent, update strategy, git remote. */
export function MergingFields({ register, error }: { register: UseFormRegister<WorkspaceFormValues>; error: (key: string) => string | undefined }) {
  return (
    <div className="grid gap-4" data-testid="ws-merging">
      <div className="grid gap-2 sm:grid-cols-2">
        <Checkbox {...register("autoMerge")} label="Queue tasks for merging when their checks passed and their review approved" data-testid="ws-auto-merge" />
        <Checkbox {...register("autoResolve")} label="Let the task's agent resolve merge conflicts" data-testid="ws-auto-resolve" />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="ws-update-strategy" label="Bring branches up to date by">
          {(control) => (
            <Select {...control} {...register("updateStrategy")}>
              <option value="rebase">rebase</option>
              <option value="merge">merge</option>
            </Select>
          )}
        </Field>
        <Field id="ws-git-remote" label="Git remote" hint="Where Push and pull requests go." error={error("gitRemote")}>
          {(control) => <Input {...control} {...register("gitRemote")} className="font-mono" autoComplete="off" />}
        </Field>
      </div>
    </div>
  );
}

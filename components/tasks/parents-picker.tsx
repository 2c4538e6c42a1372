"use client";

import type { UseFormRegister } from "react-hook-form";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { useTasks } from "@/lib/hooks/use-tasks";
import type { TaskFormValues } from "@/lib/schemas/task";

/** The tasks of the workspace a new task waits for, and how (merged, or stacked on one parent's branch). */
export function ParentsPicker({ register, workspaceId }: { register: UseFormRegister<TaskFormValues>; workspaceId: number | null }) {
  const { tasks } = useTasks(workspaceId);
  const open = (tasks ?? []).filter((task) => !task.mergedAt);
  if (!workspaceId || open.length === 0) return null;
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Field id="task-parents" label="Waits for" hint="Optional: the task starts after these. Ctrl-click to pick several.">
        {(control) => (
          <select {...control} {...register("parents")} multiple className="h-24 w-full rounded-md border bg-transparent px-2 py-1 text-sm" data-testid="task-parents">
            {open.map((task) => (
              <option key={task.id} value={String(task.id)}>
                #{task.number} {task.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="task-dependency-mode" label="Start when they are" hint="Stacked: from the one parent's branch once it is done.">
        {(control) => (
          <Select {...control} {...register("dependencyMode")}>
            <option value="merged">merged</option>
            <option value="done">done (stacked)</option>
          </Select>
        )}
      </Field>
    </div>
  );
}

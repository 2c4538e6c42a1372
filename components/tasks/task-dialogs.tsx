"use client";

import { MessageSquarePlus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { Kbd } from "@/components/ui/kbd";
import { Textarea } from "@/components/ui/textarea";
import { useBusy } from "@/lib/hooks/use-busy";
import type { TaskDto } from "@/lib/schemas/task";
import { onSubmitShortcut } from "./submit-shortcut";

type TaskRef = Pick<TaskDto, "id" | "number" | "title" | "branch">;

interface DialogBase {
  task: TaskRef;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

export function ContinueDialog({ task, open, onOpenChange, onSubmit }: DialogBase & { onSubmit: (prompt: string) => Promise<unknown> }) {
  const [prompt, setPrompt] = useState("");
  const { busy, run } = useBusy();

  // On failure the action already showed the error; the text stays so it can be sent again.
  async function submit() {
    if (!prompt.trim() || busy) return;
    if (await run(() => onSubmit(prompt))) {
      setPrompt("");
      onOpenChange(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !busy && onOpenChange(next)}
      title={`Continue task #${task.number}`}
      description="A follow-up prompt for the same agent session, in the same worktree."
      footer={
        <>
          <Button variant="outline" onClick={() => onOpenChange(false)} disabled={busy}>
            Cancel
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={!prompt.trim()}>
            <MessageSquarePlus aria-hidden />
            Send follow-up
          </Button>
        </>
      }
    >
      <div className="grid gap-1.5">
        <label htmlFor={`continue-${task.id}`} className="sr-only">
          Follow-up prompt
        </label>
        <Textarea
          id={`continue-${task.id}`}
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={onSubmitShortcut(submit)}
          rows={6}
          autoFocus
          placeholder="Also add tests for the edge cases…"
          className="font-mono text-[13px]"
        />
        <p className="text-xs text-muted-foreground">
          <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> to send
        </p>
      </div>
    </Dialog>
  );
}

export function MergeDialog({ task, open, onOpenChange, baseBranch, onConfirm }: DialogBase & { baseBranch?: string; onConfirm: (deleteBranch: boolean) => Promise<unknown> }) {
  const [deleteBranch, setDeleteBranch] = useState(false);
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Merge task #${task.number}?`}
      description={
        <>
          Merges <code className="font-mono text-foreground">{task.branch ?? `task-${task.id}`}</code> into{" "}
          <code className="font-mono text-foreground">{baseBranch ?? "the base branch"}</code>: a fast-forward when possible, else a merge commit. A
          conflict leaves the repository as it was.
        </>
      }
      confirmLabel="Merge"
      onConfirm={() => onConfirm(deleteBranch)}
    >
      <Checkbox label="Delete the task branch after merging" checked={deleteBranch} onChange={(event) => setDeleteBranch(event.target.checked)} />
    </ConfirmDialog>
  );
}

export function DeleteTaskDialog({ task, open, onOpenChange, onConfirm }: DialogBase & { onConfirm: (deleteBranch: boolean) => Promise<unknown> }) {
  const [deleteBranch, setDeleteBranch] = useState(false);
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Delete task #${task.number}?`}
      description={`"${task.title}" and its runs and logs are deleted, and its worktree removed.`}
      confirmLabel="Delete task"
      destructive
      onConfirm={() => onConfirm(deleteBranch)}
    >
      <Checkbox
        label={
          <>
            Also delete the branch <code className="font-mono">{task.branch ?? `task-${task.id}`}</code>
          </>
        }
        checked={deleteBranch}
        onChange={(event) => setDeleteBranch(event.target.checked)}
      />
    </ConfirmDialog>
  );
}

/** Stopping a running agent loses its work in progress (what it wrote so far is committed). */
export function CancelTaskDialog({ task, open, onOpenChange, onConfirm }: DialogBase & { onConfirm: () => Promise<unknown> }) {
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Cancel task #${task.number}?`}
      description="The agent is stopped now. What it changed so far is committed to the task branch, and the task can be retried or continued."
      confirmLabel="Stop the agent"
      destructive
      onConfirm={onConfirm}
    />
  );
}

"use client";

import { MessageSquarePlus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Kbd } from "@/components/ui/kbd";
import { Textarea } from "@/components/ui/textarea";
import { useTaskActions } from "@/lib/hooks/use-task-actions";
import type { TaskDto } from "@/lib/schemas/task";
import { onSubmitShortcut } from "./submit-shortcut";

/** A follow-up prompt for a finished task: same session, same worktree. */
export function ContinueBox({ task }: { task: TaskDto }) {
  const { pending, actions } = useTaskActions(task);
  const [prompt, setPrompt] = useState("");
  const enabled = task.status === "DONE" || task.status === "FAILED";

  async function submit() {
    if (!enabled || !prompt.trim() || pending) return;
    try {
      await actions?.continueWith(prompt);
      setPrompt("");
    } catch {
      // Toasted by the action; the text stays for another try.
    }
  }

  return (
    <Card className="grid gap-3 p-4">
      <label htmlFor="continue-prompt" className="text-sm font-semibold">
        Continue this task
      </label>
      <Textarea
        id="continue-prompt"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
        onKeyDown={onSubmitShortcut(submit)}
        disabled={!enabled || pending === "continue"}
        rows={4}
        placeholder={enabled ? "A follow-up for the agent: what to change or add next…" : "Available once the task is done or failed."}
        className="font-mono text-[13px]"
        data-testid="continue-prompt"
      />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-muted-foreground">
          The agent resumes its session in the same worktree. <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> to send.
        </p>
        <Button onClick={() => void submit()} loading={pending === "continue"} disabled={!enabled || !prompt.trim()} size="sm">
          <MessageSquarePlus aria-hidden />
          Continue
        </Button>
      </div>
    </Card>
  );
}

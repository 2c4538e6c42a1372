"use client";

import { MessageSquarePlus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { onSubmitShortcut } from "@/components/tasks/submit-shortcut";

/** A comment box: on lines of the diff, or a general note. Keeps the text when sending fails. */
export function CommentComposer({ label, onSubmit, onCancel, busy }: { label: string; onSubmit: (body: string) => Promise<unknown>; onCancel?: () => void; busy: boolean }) {
  const [body, setBody] = useState("");
  async function submit() {
    if (!body.trim() || busy) return;
    try {
      await onSubmit(body);
      setBody("");
    } catch {
      // Toasted; the text stays for another try.
    }
  }
  return (
    <div className="grid gap-2 rounded-md border bg-card p-2 font-sans" data-testid="comment-composer">
      <Textarea value={body} onChange={(event) => setBody(event.target.value)} onKeyDown={onSubmitShortcut(submit)} rows={3} aria-label={label} placeholder={label} autoFocus className="text-sm" />
      <div className="flex justify-end gap-2">
        {onCancel ? (
          <Button variant="ghost" size="xs" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button size="xs" onClick={() => void submit()} loading={busy} disabled={!body.trim()} data-testid="submit-comment">
          <MessageSquarePlus aria-hidden />
          Comment
        </Button>
      </div>
    </div>
  );
}

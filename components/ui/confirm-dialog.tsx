"use client";

import * as React from "react";
import { useBusy } from "@/lib/hooks/use-busy";
import { Button } from "./button";
import { Dialog } from "./dialog";

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: React.ReactNode;
  description?: React.ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  /** The dialog stays open with a spinner until this settles; it closes on success. */
  onConfirm: () => Promise<unknown> | void;
  children?: React.ReactNode;
}

export function ConfirmDialog({ open, onOpenChange, title, description, confirmLabel, destructive, onConfirm, children }: ConfirmDialogProps) {
  const { busy, run } = useBusy();

  // On failure the caller reports the error (toast); the dialog stays open so the user can retry.
  async function confirm() {
    if (await run(onConfirm)) onOpenChange(false);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !busy && onOpenChange(next)}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="outline" onClick={() => onOpenChange(false)} disabled={busy}>
            Cancel
          </Button>
          <Button variant={destructive ? "destructive" : "default"} onClick={() => void confirm()} loading={busy} autoFocus>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}

"use client";

import { useSyncExternalStore } from "react";

export type ToastVariant = "success" | "error" | "info";

export interface ToastOptions {
  title: string;
  description?: string;
  variant?: ToastVariant;
  /** A link shown in the toast, e.g. to the task that finished. */
  action?: { label: string; href: string };
  /** Milliseconds; errors stay longer by default. */
  duration?: number;
}

export interface ToastEntry extends ToastOptions {
  id: number;
}

let entries: ToastEntry[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const MAX_VISIBLE = 5;

function emit() {
  for (const listener of listeners) listener();
}

export function dismissToast(id: number): void {
  entries = entries.filter((entry) => entry.id !== id);
  emit();
}

/** Shows a toast from anywhere on the client; returns its id. */
export function toast(options: ToastOptions): number {
  const id = nextId++;
  entries = [...entries, { ...options, id }].slice(-MAX_VISIBLE);
  emit();
  const duration = options.duration ?? (options.variant === "error" ? 9000 : 5000);
  if (duration > 0 && typeof window !== "undefined") window.setTimeout(() => dismissToast(id), duration);
  return id;
}

toast.success = (title: string, description?: string) => toast({ title, description, variant: "success" });
toast.error = (title: string, description?: string) => toast({ title, description, variant: "error" });
toast.info = (title: string, description?: string) => toast({ title, description, variant: "info" });

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The toasts on screen, oldest first. */
export function useToasts(): readonly ToastEntry[] {
  return useSyncExternalStore(subscribe, () => entries, () => entries);
}

"use client";

import { CheckCircle2, Info, X, XCircle } from "lucide-react";
import Link from "next/link";
import { dismissToast, useToasts } from "@/lib/hooks/use-toast";
import { cn } from "./cn";

const ICONS = { success: CheckCircle2, error: XCircle, info: Info } as const;
const ICON_COLORS = { success: "text-success", error: "text-destructive", info: "text-info" } as const;

/** Renders the toasts; mount once, in the root layout. */
export function Toaster() {
  const items = useToasts();
  return (
    <section aria-label="Notifications" className="pointer-events-none fixed right-0 bottom-0 z-50 flex w-full max-w-sm flex-col gap-2 p-4">
      {items.map((item) => {
        const variant = item.variant ?? "info";
        const Icon = ICONS[variant];
        return (
          <div
            key={item.id}
            data-testid="toast"
            data-variant={variant}
            role={variant === "error" ? "alert" : "status"}
            className="pointer-events-auto flex animate-toast-in items-start gap-3 rounded-lg border bg-popover p-3.5 text-popover-foreground shadow-lg"
          >
            <Icon className={cn("mt-0.5 size-4 shrink-0", ICON_COLORS[variant])} aria-hidden />
            <div className="grid min-w-0 flex-1 gap-0.5">
              <p className="text-sm font-medium break-words">{item.title}</p>
              {item.description ? <p className="text-[13px] break-words text-muted-foreground">{item.description}</p> : null}
              {item.action ? (
                <Link href={item.action.href} onClick={() => dismissToast(item.id)} className="mt-1 w-fit text-[13px] font-medium underline underline-offset-4">
                  {item.action.label}
                </Link>
              ) : null}
            </div>
            <button
              type="button"
              onClick={() => dismissToast(item.id)}
              className="-mt-0.5 -mr-0.5 cursor-pointer rounded p-0.5 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
              aria-label="Dismiss notification"
            >
              <X className="size-3.5" />
            </button>
          </div>
        );
      })}
    </section>
  );
}

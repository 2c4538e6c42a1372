import type { LucideIcon } from "lucide-react";
import * as React from "react";
import { cn } from "./cn";

export interface EmptyStateProps {
  icon: LucideIcon;
  title: string;
  description?: React.ReactNode;
  action?: React.ReactNode;
  className?: string;
  tone?: "default" | "error";
}

export function EmptyState({ icon: Icon, title, description, action, className, tone = "default" }: EmptyStateProps) {
  return (
    <div className={cn("flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed px-6 py-12 text-center", className)}>
      <div
        className={cn(
          "flex size-11 items-center justify-center rounded-full border bg-surface shadow-xs",
          tone === "error" ? "text-destructive" : "text-muted-foreground",
        )}
      >
        <Icon className="size-5" aria-hidden />
      </div>
      <div className="grid max-w-md gap-1">
        <p className="text-sm font-semibold">{title}</p>
        {description ? <div className="text-sm text-muted-foreground">{description}</div> : null}
      </div>
      {action ? <div className="mt-1 flex flex-wrap justify-center gap-2">{action}</div> : null}
    </div>
  );
}

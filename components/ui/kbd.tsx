import * as React from "react";
import { cn } from "./cn";

export function Kbd({ className, ...props }: React.HTMLAttributes<HTMLElement>) {
  return <kbd className={cn("inline-flex h-5 items-center rounded border bg-muted px-1.5 font-mono text-[11px] text-muted-foreground", className)} {...props} />;
}

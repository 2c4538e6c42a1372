import { ChevronDown } from "lucide-react";
import * as React from "react";
import { cn } from "./cn";
import { inputClass } from "./input";

/** A native select styled like the inputs: keyboard and screen-reader behaviour come for free. */
export function Select({ className, children, ...props }: React.ComponentProps<"select">) {
  return (
    <div className={cn("relative", className)}>
      <select className={cn(inputClass, "cursor-pointer appearance-none pr-8 [&>option]:bg-popover [&>option]:text-popover-foreground")} {...props}>
        {children}
      </select>
      <ChevronDown className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
    </div>
  );
}

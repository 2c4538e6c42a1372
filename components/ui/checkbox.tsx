import * as React from "react";
import { cn } from "./cn";

export interface CheckboxProps extends Omit<React.InputHTMLAttributes<HTMLInputElement>, "type"> {
  label: React.ReactNode;
}

export function Checkbox({ label, className, id, ...props }: CheckboxProps) {
  const fallbackId = React.useId();
  const inputId = id ?? fallbackId;
  return (
    <label htmlFor={inputId} className={cn("inline-flex cursor-pointer items-center gap-2 text-sm select-none", className)}>
      <input id={inputId} type="checkbox" className="size-4 cursor-pointer rounded border-input accent-primary" {...props} />
      {label}
    </label>
  );
}

import { cn } from "./cn";

export interface ProgressProps {
  /** 0 to 100. */
  value: number;
  label: string;
  className?: string;
  tone?: "default" | "auto";
}

/** A thin meter; with tone "auto" it turns amber above 75 % and red above 90 %. */
export function Progress({ value, label, className, tone = "auto" }: ProgressProps) {
  const clamped = Math.max(0, Math.min(100, value));
  const color = tone === "auto" ? (clamped > 90 ? "bg-destructive" : clamped > 75 ? "bg-warning" : "bg-info") : "bg-primary";
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped)}
      className={cn("h-1.5 w-full overflow-hidden rounded-full bg-muted", className)}
    >
      <div className={cn("h-full rounded-full transition-[width] duration-500", color)} style={{ width: `${clamped}%` }} />
    </div>
  );
}

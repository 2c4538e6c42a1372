import { cn } from "@/components/ui/cn";

export interface BarListItem {
  key: string;
  label: string;
  value: number;
  display: string;
  /** Secondary figure, shown muted after the main one. */
  detail?: string;
}

/** Horizontal bars, longest first; a CSS chart with the figures as text, so it reads without colour. */
export function BarList({ items, className, emptyText = "No data yet.", barClassName }: { items: BarListItem[]; className?: string; emptyText?: string; barClassName?: string }) {
  if (items.length === 0) return <p className="py-2 text-sm text-muted-foreground">{emptyText}</p>;
  const max = Math.max(...items.map((item) => item.value), 0) || 1;
  return (
    <ul className={cn("flex flex-col gap-1.5", className)}>
      {items.map((item) => (
        <li key={item.key} className="relative flex h-8 items-center justify-between gap-3 overflow-hidden rounded-md px-2.5 text-sm">
          <span
            className={cn("absolute inset-y-0 left-0 rounded-md bg-info/15 dark:bg-info/20", barClassName)}
            style={{ width: `${Math.max(1.5, (item.value / max) * 100)}%` }}
            aria-hidden
          />
          <span className="relative min-w-0 truncate font-medium">{item.label}</span>
          <span className="relative shrink-0 font-mono text-xs tabular-nums">
            {item.display}
            {item.detail ? <span className="ml-2 text-muted-foreground">{item.detail}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

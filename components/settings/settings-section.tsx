import { TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

/** One card of the settings page: what it is about on the left, the controls on the right. */
export function SettingsSection({ id, title, description, children }: { id: string; title: string; description: ReactNode; children: ReactNode }) {
  return (
    <Card role="region" aria-labelledby={`${id}-title`} data-testid={`settings-${id}`} className="grid gap-5 p-5 md:grid-cols-[15rem_minmax(0,1fr)] md:gap-8">
      <div className="grid content-start gap-1">
        <h2 id={`${id}-title`} className="text-sm font-semibold">
          {title}
        </h2>
        <div className="text-[13px] text-muted-foreground">{description}</div>
      </div>
      <div className="grid min-w-0 content-start gap-4">{children}</div>
    </Card>
  );
}

export function SectionSkeleton({ rows = 2 }: { rows?: number }) {
  return (
    <div className="grid gap-3" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} className="h-24 rounded-lg" />
      ))}
    </div>
  );
}

/** A section whose data did not load: says why, in place of its controls. */
export function SectionError({ title, message }: { title: string; message: string }) {
  return (
    <div role="alert" className="flex items-start gap-2 rounded-lg border border-destructive/30 bg-destructive/10 px-4 py-3 text-sm text-destructive">
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>
        <span className="font-medium">{title}</span> {message}
      </span>
    </div>
  );
}

/** The user's saved string setting, or null when none is saved. */
export function stringSetting(values: Record<string, unknown>, key: string): string | null {
  const value = values[key];
  return typeof value === "string" ? value : null;
}

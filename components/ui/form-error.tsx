import { TriangleAlert } from "lucide-react";

/** The error of a whole form (one that no single field owns), announced to screen readers. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div role="alert" className="flex items-center gap-2 rounded-lg border border-destructive/30 bg-destructive/10 px-4 py-3 text-sm text-destructive">
      <TriangleAlert className="size-4 shrink-0" aria-hidden />
      {message}
    </div>
  );
}

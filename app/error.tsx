"use client";

import { TriangleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState
      icon={TriangleAlert}
      tone="error"
      title="This page failed to load"
      description={error.message || "An unexpected error occurred."}
      action={<Button onClick={reset}>Try again</Button>}
      className="mt-10"
    />
  );
}

import { FileQuestion } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function NotFound() {
  return (
    <EmptyState
      icon={FileQuestion}
      title="Page not found"
      description="The page you asked for does not exist, or the task or workspace was deleted."
      action={
        <Link href="/" className={buttonVariants({ variant: "outline" })}>
          Back to home
        </Link>
      }
      className="mt-10"
    />
  );
}

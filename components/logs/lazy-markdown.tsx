"use client";

import { lazy, Suspense } from "react";

// react-markdown and its parsers are a large chunk: the log shows plain text first and fetches
// them off the page's critical path.
const loadMarkdown = () => import("./markdown");
const Markdown = lazy(() => loadMarkdown().then((module) => ({ default: module.Markdown })));

/** Starts fetching the renderer early (when a log opens), so the first message does not wait for it. */
export function preloadMarkdown(): void {
  void loadMarkdown().catch(() => undefined);
}

/** An agent message as Markdown, its plain text until the renderer has loaded. */
export function LazyMarkdown({ text, className }: { text: string; className?: string }) {
  return (
    <Suspense
      fallback={
        <div className={className}>
          <p className="whitespace-pre-wrap">{text}</p>
        </div>
      }
    >
      <Markdown text={text} className={className} />
    </Suspense>
  );
}

import type { ComponentPropsWithoutRef } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Agent messages as Markdown (GitHub's flavour: tables, nested and task lists, fenced code,
 * strikethrough) through react-markdown. Raw HTML in the text is never rendered (no rehype-raw:
 * it shows as text), and only http(s) and mailto links become links.
 */

export function safeHref(url: string): string | null {
  return /^(https?:\/\/|mailto:)/i.test(url.trim()) ? url.trim() : null;
}

const heading = ({ children }: ComponentPropsWithoutRef<"h1">) => <p className="mt-1 font-semibold">{children}</p>;

const COMPONENTS: Components = {
  p: ({ children }) => <p className="whitespace-pre-wrap">{children}</p>,
  h1: heading,
  h2: heading,
  h3: heading,
  h4: heading,
  h5: heading,
  h6: heading,
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-info underline underline-offset-2">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  pre: ({ children }) => (
    <pre className="my-1 overflow-x-auto rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed [&>code]:bg-transparent [&>code]:p-0 [&>code]:text-xs">
      {children}
    </pre>
  ),
  code: ({ className, children }) => <code className={`rounded bg-muted px-1 py-0.5 font-mono text-[0.85em] ${className ?? ""}`.trim()}>{children}</code>,
  ul: ({ children, className }) => <ul className={`my-1 grid gap-0.5 pl-5 ${className?.includes("contains-task-list") ? "list-none" : "list-disc"}`}>{children}</ul>,
  ol: ({ children }) => <ol className="my-1 grid gap-0.5 pl-5 list-decimal">{children}</ol>,
  blockquote: ({ children }) => <blockquote className="my-1 border-l-2 border-border pl-3 text-muted-foreground">{children}</blockquote>,
  table: ({ children }) => (
    <div className="my-1 overflow-x-auto">
      <table className="border-collapse text-xs">{children}</table>
    </div>
  ),
  th: ({ children, style }) => (
    <th style={style} className="border border-border bg-muted px-2 py-1 text-left font-semibold">
      {children}
    </th>
  ),
  td: ({ children, style }) => (
    <td style={style} className="border border-border px-2 py-1">
      {children}
    </td>
  ),
  img: ({ alt }) => <span>{alt ? `[image: ${alt}]` : "[image]"}</span>,
};

const REMARK_PLUGINS = [remarkGfm];

export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS} urlTransform={(url) => safeHref(url) ?? ""} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

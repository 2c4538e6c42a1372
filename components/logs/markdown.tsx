import type { ReactNode } from "react";

/**
 * A small Markdown renderer for agent messages: paragraphs, headings, fenced code blocks, lists,
 * inline code, bold and links. It builds React elements from text (React escapes it), never
 * HTML, and only http(s) and mailto links become links.
 */

export type MarkdownBlock =
  | { type: "code"; lang: string; text: string }
  | { type: "list"; ordered: boolean; items: string[] }
  | { type: "heading"; text: string }
  | { type: "paragraph"; text: string };

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)\s*$/;
const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

function readFence(lines: string[], start: number): { block: MarkdownBlock; next: number } {
  const [, marker, lang = ""] = FENCE.exec(lines[start]!)!;
  const body: string[] = [];
  let index = start + 1;
  while (index < lines.length && lines[index]!.trim() !== marker) body.push(lines[index++]!);
  return { block: { type: "code", lang, text: body.join("\n") }, next: index + 1 };
}

function readList(lines: string[], start: number): { block: MarkdownBlock; next: number } {
  const ordered = /\d/.test(LIST_ITEM.exec(lines[start]!)![1]!);
  const items: string[] = [];
  let index = start;
  while (index < lines.length) {
    const line = lines[index]!;
    const item = LIST_ITEM.exec(line);
    if (item && /\d/.test(item[1]!) === ordered) items.push(item[2]!);
    else if (line.trim() !== "" && /^\s+/.test(line) && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
    else break;
    index += 1;
  }
  return { block: { type: "list", ordered, items }, next: index };
}

export function parseMarkdown(text: string): MarkdownBlock[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: MarkdownBlock[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: "paragraph", text: paragraph.join("\n") });
    paragraph = [];
  };
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const special = FENCE.test(line) ? readFence : LIST_ITEM.test(line) ? readList : null;
    if (special) {
      endParagraph();
      const { block, next } = special(lines, index);
      blocks.push(block);
      index = next;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endParagraph();
      blocks.push({ type: "heading", text: heading[1]! });
    } else if (line.trim() === "") endParagraph();
    else paragraph.push(line);
    index += 1;
  }
  endParagraph();
  return blocks;
}

const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

export function safeHref(url: string): string | null {
  return /^(https?:\/\/|mailto:)/i.test(url.trim()) ? url.trim() : null;
}

export function renderInline(text: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const at = match.index;
    if (at > last) nodes.push(text.slice(last, at));
    const [whole, , code, bold, boldAlt, label, url] = match;
    if (code !== undefined) {
      nodes.push(
        <code key={at} className="rounded bg-muted px-1 py-0.5 font-mono text-[0.85em]">
          {code}
        </code>,
      );
    } else if (bold !== undefined || boldAlt !== undefined) {
      nodes.push(<strong key={at}>{bold ?? boldAlt}</strong>);
    } else {
      const href = safeHref(url!);
      nodes.push(
        href ? (
          <a key={at} href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-info underline underline-offset-2">
            {label}
          </a>
        ) : (
          whole
        ),
      );
    }
    last = at + whole.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

function renderBlock(block: MarkdownBlock, key: number): ReactNode {
  switch (block.type) {
    case "code":
      return (
        <pre key={key} className="my-1 overflow-x-auto rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed" data-lang={block.lang || undefined}>
          <code>{block.text}</code>
        </pre>
      );
    case "list": {
      const Tag = block.ordered ? "ol" : "ul";
      return (
        <Tag key={key} className={`my-1 grid gap-0.5 pl-5 ${block.ordered ? "list-decimal" : "list-disc"}`}>
          {block.items.map((item, index) => (
            <li key={index}>{renderInline(item)}</li>
          ))}
        </Tag>
      );
    }
    case "heading":
      return (
        <p key={key} className="mt-1 font-semibold">
          {renderInline(block.text)}
        </p>
      );
    default:
      return (
        <p key={key} className="whitespace-pre-wrap">
          {renderInline(block.text)}
        </p>
      );
  }
}

export function Markdown({ text, className }: { text: string; className?: string }) {
  return <div className={className}>{parseMarkdown(text).map(renderBlock)}</div>;
}

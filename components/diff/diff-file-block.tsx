"use client";

import { ChevronDown, ChevronRight, Plus } from "lucide-react";
import { Fragment, memo, useState, type MouseEvent } from "react";
import { CommentComposer } from "@/components/reviews/comment-composer";
import { CommentItem } from "@/components/reviews/comment-item";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { CommentSide } from "@/lib/enums";
import type { CommentDto } from "@/lib/schemas/review";
import type { DiffLine, PatchFile } from "./parse-patch";

/** What the diff needs to show and make review comments. */
export interface DiffComments {
  /** This file's comments whose lines are in the diff now. */
  comments: CommentDto[];
  busy: boolean;
  add(input: { file: string; side: CommentSide; startLine: number; endLine: number; body: string }): Promise<unknown>;
  setResolved(comment: CommentDto, resolved: boolean): void;
}

interface Draft {
  side: CommentSide;
  startLine: number;
  endLine: number;
}

/** The side and number a comment on this line refers to: removed lines are on the old side. */
function anchorOfLine(line: DiffLine): { side: CommentSide; number: number } | null {
  if (line.kind === "del" && line.oldNumber) return { side: "old", number: line.oldNumber };
  if ((line.kind === "add" || line.kind === "context") && line.newNumber) return { side: "new", number: line.newNumber };
  return null;
}

const INITIAL_LINES = 1500;

const ROW: Record<DiffLine["kind"], string> = {
  add: "bg-diff-add-bg text-diff-add-fg",
  del: "bg-diff-del-bg text-diff-del-fg",
  hunk: "bg-diff-hunk-bg text-diff-hunk-fg",
  context: "",
  meta: "text-muted-foreground italic",
};
const SIGN: Record<DiffLine["kind"], string> = { add: "+", del: "-", hunk: "", context: " ", meta: "" };

function Line({ line, path, selected, onComment }: { line: DiffLine; path: string; selected: boolean; onComment?: (event: MouseEvent) => void }) {
  const at = anchorOfLine(line);
  return (
    <tr className={cn(ROW[line.kind], "group/line", selected && "outline outline-1 -outline-offset-1 outline-ring")} data-kind={line.kind} data-new-line={line.newNumber} data-old-line={line.oldNumber}>
      <td className="w-px border-r border-border/60 px-2 text-right text-muted-foreground select-none">{line.oldNumber ?? ""}</td>
      <td className="relative w-px border-r border-border/60 px-2 text-right text-muted-foreground select-none">
        {at && onComment ? (
          <button
            type="button"
            onClick={onComment}
            className="absolute top-0 -left-1 hidden size-5 cursor-pointer items-center justify-center rounded bg-primary text-primary-foreground group-hover/line:flex focus-visible:flex"
            aria-label={`Comment on line ${at.number} of ${path}${at.side === "old" ? " (removed)" : ""}; shift-click extends a range`}
            data-testid="comment-line"
          >
            <Plus className="size-3.5" aria-hidden />
          </button>
        ) : null}
        {line.newNumber ?? ""}
      </td>
      <td className="px-3 whitespace-pre-wrap break-all">
        <span className="select-none opacity-60">{SIGN[line.kind]}</span>
        {line.text}
      </td>
    </tr>
  );
}

export interface DiffFileBlockProps {
  file: PatchFile;
  additions?: number;
  deletions?: number;
  status?: string;
  review?: DiffComments;
}

/** One file of the unified diff, collapsible, with old and new line numbers, and its review comments at their lines. */
export const DiffFileBlock = memo(function DiffFileBlock({ file, additions, deletions, status, review }: DiffFileBlockProps) {
  const [open, setOpen] = useState(true);
  const [showAll, setShowAll] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const lines = showAll ? file.lines : file.lines.slice(0, INITIAL_LINES);
  const commentsAt = (side: CommentSide, number: number) =>
    review?.comments.filter((comment) => comment.side === side && (comment.position.endLine ?? comment.position.startLine) === number) ?? [];
  const pick = (line: DiffLine) => (event: MouseEvent) => {
    const at = anchorOfLine(line);
    if (!at) return;
    // Shift-click extends the open draft to a range on the same side.
    if (event.shiftKey && draft && draft.side === at.side) setDraft({ side: at.side, startLine: Math.min(draft.startLine, at.number), endLine: Math.max(draft.startLine, at.number) });
    else setDraft({ side: at.side, startLine: at.number, endLine: at.number });
  };
  return (
    <section id={`diff-${encodeURIComponent(file.path)}`} className="scroll-mt-20 overflow-clip rounded-lg border" aria-label={`Changes in ${file.path}`}>
      <header className="sticky top-14 z-[1] flex items-center gap-2 border-b bg-muted/80 px-3 py-2 backdrop-blur">
        <Button variant="ghost" size="icon-xs" onClick={() => setOpen(!open)} aria-expanded={open} aria-label={`${open ? "Collapse" : "Expand"} ${file.path}`}>
          {open ? <ChevronDown /> : <ChevronRight />}
        </Button>
        <span className="min-w-0 flex-1 truncate font-mono text-xs font-medium">{file.path}</span>
        {status ? <span className="text-[11px] text-muted-foreground uppercase">{status}</span> : null}
        <span className="font-mono text-xs tabular-nums">
          <span className="text-diff-add-fg">+{additions ?? 0}</span> <span className="text-diff-del-fg">−{deletions ?? 0}</span>
        </span>
      </header>
      {open ? (
        file.binary || file.lines.length === 0 ? (
          <p className="px-4 py-3 text-xs text-muted-foreground">{file.binary ? "Binary file: no text diff." : "No content changes (mode or rename only)."}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className={cn("w-full border-collapse font-mono text-xs leading-5")}>
              <tbody>
                {lines.map((line, index) => {
                  const at = anchorOfLine(line);
                  const here = at ? commentsAt(at.side, at.number) : [];
                  const selected = Boolean(at && draft && draft.side === at.side && at.number >= draft.startLine && at.number <= draft.endLine);
                  const drafting = Boolean(at && draft && draft.side === at.side && draft.endLine === at.number);
                  return (
                    <Fragment key={index}>
                      <Line line={line} path={file.path} selected={selected} onComment={review ? pick(line) : undefined} />
                      {here.length > 0 || drafting ? (
                        <tr data-testid="comment-row">
                          <td colSpan={3} className="grid gap-2 bg-muted/40 px-3 py-2">
                            {here.map((comment) => (
                              <CommentItem key={comment.id} comment={comment} busy={review!.busy} onResolve={(resolved) => review!.setResolved(comment, resolved)} />
                            ))}
                            {drafting && draft ? (
                              <CommentComposer
                                label={`Comment on ${file.path}:${draft.startLine}${draft.endLine !== draft.startLine ? `-${draft.endLine}` : ""}`}
                                busy={review!.busy}
                                onCancel={() => setDraft(null)}
                                onSubmit={async (body) => {
                                  await review!.add({ file: file.path, side: draft.side, startLine: draft.startLine, endLine: draft.endLine, body });
                                  setDraft(null);
                                }}
                              />
                            ) : null}
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
            {file.lines.length > lines.length ? (
              <div className="border-t px-3 py-2">
                <Button variant="outline" size="xs" onClick={() => setShowAll(true)}>
                  Show {file.lines.length - lines.length} more lines
                </Button>
              </div>
            ) : null}
          </div>
        )
      ) : null}
    </section>
  );
});

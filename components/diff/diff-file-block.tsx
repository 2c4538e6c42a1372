"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import { memo, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { DiffLine, PatchFile } from "./parse-patch";

const INITIAL_LINES = 1500;

const ROW: Record<DiffLine["kind"], string> = {
  add: "bg-diff-add-bg text-diff-add-fg",
  del: "bg-diff-del-bg text-diff-del-fg",
  hunk: "bg-diff-hunk-bg text-diff-hunk-fg",
  context: "",
  meta: "text-muted-foreground italic",
};
const SIGN: Record<DiffLine["kind"], string> = { add: "+", del: "-", hunk: "", context: " ", meta: "" };

function Line({ line }: { line: DiffLine }) {
  return (
    <tr className={ROW[line.kind]} data-kind={line.kind}>
      <td className="w-px border-r border-border/60 px-2 text-right text-muted-foreground/70 select-none">{line.oldNumber ?? ""}</td>
      <td className="w-px border-r border-border/60 px-2 text-right text-muted-foreground/70 select-none">{line.newNumber ?? ""}</td>
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
}

/** One file of the unified diff, collapsible, with old and new line numbers. */
export const DiffFileBlock = memo(function DiffFileBlock({ file, additions, deletions, status }: DiffFileBlockProps) {
  const [open, setOpen] = useState(true);
  const [showAll, setShowAll] = useState(false);
  const lines = showAll ? file.lines : file.lines.slice(0, INITIAL_LINES);
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
                {lines.map((line, index) => (
                  <Line key={index} line={line} />
                ))}
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

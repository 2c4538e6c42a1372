import fs from "node:fs";
import os from "node:os";

/**
 * One line of the summary table. `measured` and `baseline` are medians of several runs taken
 * side by side in the same run of the suite; `ratio` is measured / baseline where both exist.
 * `better` says which way is good, so `met` can be judged against `limit`.
 */
export interface Figure {
  figure: string;
  target: string;
  unit: string;
  measured: number;
  baseline?: number;
  /** What `target` means as a number: met when measured (or the ratio, with `of: "ratio"`) is on the right side of it. */
  limit?: { value: number; better: "lower" | "higher"; of?: "measured" | "ratio" | "difference" };
  note?: string;
}

export function ratioOf(figure: Figure): number | undefined {
  return figure.baseline !== undefined && figure.baseline !== 0 && Number.isFinite(figure.measured) ? figure.measured / figure.baseline : undefined;
}

/** true/false against the figure's limit; undefined when it has none or nothing was measured. */
export function met(figure: Figure): boolean | undefined {
  if (!figure.limit) return undefined;
  const value =
    figure.limit.of === "ratio" ? ratioOf(figure) : figure.limit.of === "difference" ? (figure.baseline === undefined ? undefined : figure.measured - figure.baseline) : figure.measured;
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return figure.limit.better === "lower" ? value < figure.limit.value : value >= figure.limit.value;
}

export function formatNumber(value: number | undefined, unit = ""): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

/** The summary table as Markdown: figure, target, measured, baseline, ratio, met. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => {
    const ratio = ratioOf(figure);
    const verdict = met(figure);
    return [
      figure.figure,
      figure.target,
      formatNumber(figure.measured, figure.unit),
      formatNumber(figure.baseline, figure.unit),
      ratio === undefined ? "–" : `${ratio.toFixed(ratio >= 10 ? 1 : 3)}`,
      verdict === undefined ? "–" : verdict ? "yes" : "**no**",
    ].map((cell) => cell.replaceAll("|", "\\|"));
  });
  const header = ["figure", "target", "measured", "baseline", "ratio", "met"];
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  loadAverage: number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? "unknown", memoryGb: os.totalmem() / 1024 ** 3, node: process.version, loadAverage: os.loadavg() };
}

/** bench/RESULTS.md: the date, the machine, the mode and sizes, what else loaded the machine, the table, and each figure's note. */
export function renderResults(figures: readonly Figure[], meta: { date: Date; machine: Machine; mode: string; sizes: Record<string, number>; durationS: number; context?: string }): string {
  const { machine: m } = meta;
  const notes = figures.filter((figure) => figure.note).map((figure) => `- **${figure.figure}**: ${figure.note}`);
  return [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\` on ${meta.date.toISOString()} (${meta.mode} mode, ${meta.durationS.toFixed(0)} s).`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb.toFixed(1)} GB memory, Node ${m.node}, load average at the end ${m.loadAverage.map((value) => value.toFixed(2)).join(" / ")}.`,
    "",
    `Sizes: ${Object.entries(meta.sizes).map(([key, value]) => `${key}=${value}`).join(", ")}.`,
    "",
    ...(meta.context ? [`Conditions: ${meta.context}`, ""] : []),
    "Measured and baseline are medians of several runs taken side by side in this run; ratio is measured / baseline.",
    "",
    renderTable(figures),
    "",
    ...(notes.length ? ["## Notes", "", ...notes, ""] : []),
  ].join("\n");
}

export function writeResults(file: string, figures: readonly Figure[], meta: Parameters<typeof renderResults>[1]): void {
  fs.writeFileSync(file, renderResults(figures, meta));
}

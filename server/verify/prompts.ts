import type { PromptHistoryEntry } from "@/lib/schemas/task";
import type { ReviewFinding } from "@/lib/schemas/review";

/** What a follow-up may carry of a command's output or a diff, in bytes of UTF-8. */
export const OUTPUT_BUDGET_BYTES = 20 * 1024;
export const DIFF_BUDGET_BYTES = 60 * 1024;

/** The last `budget` bytes of `text`, cut at a line start, with a note of what was left out. */
export function tailWithin(text: string, budget: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= budget) return text;
  let cut = bytes.subarray(bytes.length - budget).toString("utf8");
  const newline = cut.indexOf("\n");
  if (newline >= 0 && newline < cut.length - 1) cut = cut.slice(newline + 1);
  return `[... ${bytes.length - Buffer.byteLength(cut, "utf8")} earlier bytes left out ...]\n${cut}`;
}

/** The first `budget` bytes of `text`, cut at a line end, with a note of what was left out. */
export function headWithin(text: string, budget: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= budget) return text;
  let cut = bytes.subarray(0, budget).toString("utf8");
  const newline = cut.lastIndexOf("\n");
  if (newline > 0) cut = cut.slice(0, newline);
  return `${cut}\n[... ${bytes.length - Buffer.byteLength(cut, "utf8")} more bytes left out ...]`;
}

/** The follow-up after a failing check: the command and the tail of its output. */
export function checkFollowUp(input: { command: string; exitCode: number | null; timedOut: boolean; outputTail: string; round: number; rounds: number }): string {
  const outcome = input.timedOut ? "did not finish in its time limit" : `failed with exit code ${input.exitCode ?? "none (killed)"}`;
  return [
    `The workspace's check \`${input.command}\` ${outcome} after your changes (fix round ${input.round} of ${input.rounds}).`,
    "Make it pass: fix the cause in the code, not the check. Its output ends with:",
    "",
    "```",
    tailWithin(input.outputTail, OUTPUT_BUDGET_BYTES),
    "```",
  ].join("\n");
}

function place(file: string | null, startLine: number | null | undefined, endLine?: number | null): string {
  if (!file) return "General";
  if (!startLine) return file;
  return endLine && endLine !== startLine ? `${file}:${startLine}-${endLine}` : `${file}:${startLine}`;
}

/** The follow-up after a review that requested changes: every finding, file:line first. */
export function reviewFollowUp(input: { summary: string; findings: ReviewFinding[]; round: number; rounds: number }): string {
  const findings = input.findings.map((finding) => `- ${place(finding.file, finding.line)} (${finding.severity}): ${finding.comment}`);
  const body = [
    `A reviewer read your changes and requests changes (review round ${input.round} of ${input.rounds}).`,
    "",
    `Summary: ${input.summary || "(none)"}`,
    "",
    findings.length > 0 ? "Findings:" : "No findings were listed.",
    ...findings,
    "",
    "Address each finding in the code.",
  ].join("\n");
  return headWithin(body, OUTPUT_BUDGET_BYTES);
}

export interface CommentForPrompt {
  file: string | null;
  startLine: number | null;
  endLine: number | null;
  body: string;
}

/** "Request changes" by a person: all open comments as one follow-up, each quoting its file:line. */
export function commentsFollowUp(comments: CommentForPrompt[]): string {
  const lines = comments.map((comment) => `- ${place(comment.file, comment.startLine, comment.endLine)}: ${comment.body.trim()}`);
  return ["A person reviewed your changes and requests changes:", "", ...lines, "", "Address each comment in the code."].join("\n");
}

export interface ReviewPromptInput {
  history: PromptHistoryEntry[];
  taskPrompt: string;
  diff: string;
  diffTruncated: boolean;
  check: { command: string; state: string; outputTail: string } | null;
  round: number;
  rounds: number;
}

/** The reviewer's prompt: what was asked, what changed, how the check went, and the answer's exact shape. */
export function reviewPrompt(input: ReviewPromptInput): string {
  const asked = input.history.filter((entry) => entry.kind === "initial" || entry.kind === "continue");
  const requests = (asked.length > 0 ? asked.map((entry) => entry.prompt) : [input.taskPrompt]).map((prompt, index) => `${index + 1}. ${prompt}`);
  const check = input.check
    ? [`The workspace's check \`${input.check.command}\` ${input.check.state === "PASSED" ? "passed" : "did not pass"}. Its output ends with:`, "```", tailWithin(input.check.outputTail, 4 * 1024), "```"]
    : ["No check command is configured for this workspace."];
  return [
    `You are reviewing another agent's work on a coding task (review round ${input.round} of ${input.rounds}).`,
    "Do not change any file: read the working tree and the diff below, then answer.",
    "",
    "What the agent was asked to do, in order:",
    ...requests,
    "",
    `The branch's changes against its merge base${input.diffTruncated ? " (cut: read the working tree for the rest)" : ""}:`,
    "```diff",
    headWithin(input.diff, DIFF_BUDGET_BYTES),
    "```",
    "",
    ...check,
    "",
    "Answer with one JSON object and nothing else, in exactly this shape:",
    '{"verdict": "approve" | "request_changes", "summary": "...", "findings": [{"file": "...", "line": 12, "severity": "blocker" | "major" | "minor" | "nit", "comment": "..."}]}',
    "Use request_changes only for findings that must be fixed before merging; line is the line number in the new version of the file.",
  ].join("\n");
}

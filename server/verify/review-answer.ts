import { reviewAnswerSchema, type ReviewAnswer } from "@/lib/schemas/review";

export type ParsedReview = { ok: true; answer: ReviewAnswer } | { ok: false; error: string };

/** The JSON text in a reviewer's answer: the whole answer, a fenced block, or the outermost braces. */
function candidates(text: string): string[] {
  const trimmed = text.trim();
  const found = [trimmed];
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(trimmed);
  if (fenced?.[1]) found.push(fenced[1]);
  const first = trimmed.indexOf("{");
  const last = trimmed.lastIndexOf("}");
  if (first >= 0 && last > first) found.push(trimmed.slice(first, last + 1));
  return found;
}

/**
 * The reviewer's answer as the schema says, or why not. Never throws: an answer that does not
 * parse makes the review ERROR with the raw text kept.
 */
export function parseReviewAnswer(text: string | null): ParsedReview {
  if (!text || !text.trim()) return { ok: false, error: "The reviewer gave no answer." };
  let lastError = "The answer is not JSON.";
  for (const candidate of candidates(text)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = reviewAnswerSchema.safeParse(value);
    if (parsed.success) return { ok: true, answer: parsed.data };
    lastError = `The answer does not have the asked shape: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`;
  }
  return { ok: false, error: lastError };
}

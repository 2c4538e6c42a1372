import { describe, expect, it } from "vitest";
import { parseReviewAnswer } from "@/server/verify/review-answer";

const answer = { verdict: "request_changes", summary: "One bug.", findings: [{ file: "src/a.ts", line: 12, severity: "blocker", comment: "Off by one." }] };

describe("parseReviewAnswer", () => {
  it("reads a bare JSON answer, a fenced one and one with words around it", () => {
    const json = JSON.stringify(answer);
    for (const text of [json, `\`\`\`json\n${json}\n\`\`\``, `Here is my review:\n${json}\nThanks.`]) {
      expect(parseReviewAnswer(text)).toEqual({ ok: true, answer });
    }
  });

  it("accepts a finding without a line (the whole file)", () => {
    const parsed = parseReviewAnswer(JSON.stringify({ verdict: "approve", summary: "", findings: [{ file: "README.md", severity: "nit", comment: "typo" }] }));
    expect(parsed.ok).toBe(true);
  });

  it("refuses text that is not JSON, an unknown verdict or severity, and says why", () => {
    expect(parseReviewAnswer("Looks good to me!")).toEqual({ ok: false, error: "The answer is not JSON." });
    expect(parseReviewAnswer(null)).toEqual({ ok: false, error: "The reviewer gave no answer." });
    const wrongVerdict = parseReviewAnswer(JSON.stringify({ ...answer, verdict: "lgtm" }));
    expect(wrongVerdict.ok).toBe(false);
    expect(!wrongVerdict.ok && wrongVerdict.error).toContain("verdict");
    const wrongSeverity = parseReviewAnswer(JSON.stringify({ ...answer, findings: [{ ...answer.findings[0], severity: "huge" }] }));
    expect(!wrongSeverity.ok && wrongSeverity.error).toContain("findings.0.severity");
  });
});

import { describe, expect, it } from "vitest";
import { checkFollowUp, commentsFollowUp, headWithin, OUTPUT_BUDGET_BYTES, reviewFollowUp, reviewPrompt, tailWithin } from "@/server/verify/prompts";

describe("follow-up prompts", () => {
  it("a failing check's follow-up carries the command and the tail of its output within the budget", () => {
    const output = Array.from({ length: 5000 }, (_, index) => `line ${index} of the test output`).join("\n");
    const prompt = checkFollowUp({ command: "npm test", exitCode: 1, timedOut: false, outputTail: output, round: 1, rounds: 2 });
    expect(prompt).toContain("`npm test` failed with exit code 1");
    expect(prompt).toContain("fix round 1 of 2");
    expect(prompt).toContain("line 4999 of the test output");
    expect(prompt).not.toContain("line 10 of the test output\n");
    expect(Buffer.byteLength(prompt)).toBeLessThan(OUTPUT_BUDGET_BYTES + 1024);
  });

  it("cuts at line boundaries and says how much was left out", () => {
    const text = "aaaa\nbbbb\ncccc\ndddd";
    expect(tailWithin(text, 100)).toBe(text);
    expect(tailWithin(text, 8)).toBe("[... 15 earlier bytes left out ...]\ndddd");
    expect(headWithin(text, 8)).toBe("aaaa\n[... 15 more bytes left out ...]");
  });

  it("a review's follow-up lists each finding as file:line (severity)", () => {
    const prompt = reviewFollowUp({ summary: "Two issues.", findings: [{ file: "a.ts", line: 3, severity: "major", comment: "Null deref." }, { file: "b.ts", severity: "nit", comment: "Name." }], round: 1, rounds: 1 });
    expect(prompt).toContain("- a.ts:3 (major): Null deref.");
    expect(prompt).toContain("- b.ts (nit): Name.");
    expect(prompt).toContain("Summary: Two issues.");
  });

  it("a person's comments become one follow-up quoting each place", () => {
    const prompt = commentsFollowUp([{ file: "a.ts", startLine: 3, endLine: 5, body: "Extract this." }, { file: null, startLine: null, endLine: null, body: "Add tests." }]);
    expect(prompt).toContain("- a.ts:3-5: Extract this.");
    expect(prompt).toContain("- General: Add tests.");
  });

  it("the reviewer's prompt holds the requests, the diff, the check and the exact answer shape", () => {
    const prompt = reviewPrompt({
      history: [{ prompt: "Add a flag", at: "x", kind: "initial" }, { prompt: "Also document it", at: "y", kind: "continue" }],
      taskPrompt: "Add a flag", diff: "+++ b/a.ts\n+flag", diffTruncated: false, check: { command: "npm test", state: "PASSED", outputTail: "ok" }, round: 1, rounds: 2,
    });
    expect(prompt).toContain("1. Add a flag\n2. Also document it");
    expect(prompt).toContain("+flag");
    expect(prompt).toContain("`npm test` passed");
    expect(prompt).toContain('{"verdict": "approve" | "request_changes"');
    expect(prompt).toContain("review round 1 of 2");
  });
});

import { describe, expect, it } from "vitest";
import { planRun, withHistory, type PlanRun } from "@/server/runs/plan";

const history = (...prompts: [string, "initial" | "continue" | "retry" | "auto_retry"][]) =>
  prompts.map(([prompt, kind]) => ({ prompt, kind, at: "2026-11-24T00:00:00.000Z" }));
const run = (fields: Partial<PlanRun>): PlanRun => ({
  kind: "initial", backend: "claude_code", prompt: "p", sessionId: null, resumeSessionId: null, cumulativeUsage: {}, ...fields,
});

describe("planRun", () => {
  it("starts a fresh session with the task's prompt the first time and on retry", () => {
    const task = { prompt: "do it", backend: "claude_code", nextRunKind: "initial", promptHistory: history(["do it", "initial"]) };
    expect(planRun(task, [])).toEqual({ kind: "initial", prompt: "do it", previousCumulative: {} });
    expect(planRun({ ...task, nextRunKind: "retry" }, [run({ sessionId: "s1" })])).toEqual({ kind: "retry", prompt: "do it", previousCumulative: {} });
  });

  it("continues the latest session of the same backend with its cumulative counters", () => {
    const task = { prompt: "do it", backend: "codex_cli", nextRunKind: "continue", promptHistory: history(["do it", "initial"], ["more", "continue"]) };
    const runs = [run({ backend: "codex_cli", sessionId: "t1", cumulativeUsage: { input: 10 } }), run({ backend: "codex_cli", sessionId: null })];
    expect(planRun(task, runs)).toEqual({ kind: "continue", prompt: "more", resumeSessionId: "t1", previousCumulative: { input: 10 } });
  });

  it("without any earlier session, a follow-up starts fresh with the history as context", () => {
    const task = { prompt: "do it", backend: "claude_code", nextRunKind: "continue", promptHistory: history(["do it", "initial"], ["more", "continue"]) };
    const plan = planRun(task, [run({ backend: "codex_cli", sessionId: "other-backend" })]);
    expect(plan.resumeSessionId).toBeUndefined();
    expect(plan.freshSessionReason).toBeTruthy();
    expect(plan.prompt).toContain("1. do it");
    expect(plan.prompt.endsWith("more")).toBe(true);
  });

  it("an automatic retry repeats the failed run, resuming what it resumed", () => {
    const task = { prompt: "do it", backend: "claude_code", nextRunKind: "auto_retry", promptHistory: history(["do it", "initial"], ["more", "continue"]) };
    const runs = [run({ sessionId: "s1", cumulativeUsage: { costUsd: 0.5 } }), run({ kind: "continue", prompt: "more", resumeSessionId: "s1" })];
    expect(planRun(task, runs)).toEqual({ kind: "auto_retry", prompt: "more", resumeSessionId: "s1", previousCumulative: { costUsd: 0.5 } });
  });
});

describe("withHistory", () => {
  it("lists earlier requests, leaving out retries, then the new one", () => {
    const text = withHistory(history(["first", "initial"], ["first", "retry"], ["second", "continue"], ["third", "continue"]), "third");
    expect(text).toContain("1. first\n\n2. second");
    expect(text).not.toContain("3.");
    expect(text.endsWith("third")).toBe(true);
  });
});

describe("planRun for fix and review rounds", () => {
  const base = { prompt: "do it", backend: "claude_code", promptHistory: history(["do it", "initial"]) };

  it("a fix round resumes the work agent's session, never the reviewer's of the same backend, with the server's follow-up", () => {
    const runs = [run({ sessionId: "work", cumulativeUsage: { input: 5 } }), run({ kind: "review", sessionId: "reviewer" })];
    const plan = planRun({ ...base, nextRunKind: "fix", pendingPrompt: "the check failed", pendingCause: "check" }, runs);
    expect(plan).toEqual({ kind: "fix", prompt: "the check failed", resumeSessionId: "work", previousCumulative: { input: 5 }, cause: "check" });
  });

  it("a person's follow-up also skips the reviewer's session", () => {
    const task = { ...base, nextRunKind: "continue", promptHistory: history(["do it", "initial"], ["more", "continue"]) };
    expect(planRun(task, [run({ sessionId: "work" }), run({ kind: "review", sessionId: "reviewer" })]).resumeSessionId).toBe("work");
  });

  it("a review starts a fresh session with its prompt", () => {
    expect(planRun({ ...base, nextRunKind: "review", pendingPrompt: "review this" }, [run({ sessionId: "work" })])).toEqual({ kind: "review", prompt: "review this", previousCumulative: {} });
  });
});

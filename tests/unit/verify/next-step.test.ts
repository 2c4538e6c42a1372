import { describe, expect, it } from "vitest";
import { afterReviewRun, afterWorkRun, sinceLastRequest, type RunSoFar } from "@/server/verify/next-step";

const run = (kind: string, status = "DONE", cause: string | null = null): RunSoFar => ({ kind, status, cause });
const approve = { ok: true as const, answer: { verdict: "approve" as const, summary: "fine", findings: [] } };
const changes = { ok: true as const, answer: { verdict: "request_changes" as const, summary: "no", findings: [{ file: "a.ts", line: 3, severity: "major" as const, comment: "bug" }] } };

describe("sinceLastRequest", () => {
  it("keeps the runs after the last one a person asked for", () => {
    expect(sinceLastRequest([run("initial"), run("fix"), run("continue"), run("review"), run("fix")]).map((entry) => entry.kind)).toEqual(["review", "fix"]);
    expect(sinceLastRequest([run("initial")])).toEqual([]);
  });
});

describe("afterWorkRun", () => {
  const settings = { fixRounds: 2, reviewer: false, reviewRounds: 2 };

  it("without a check or a reviewer the task is done, its check state NONE", () => {
    expect(afterWorkRun({ ...settings, runs: [run("initial")], check: null })).toEqual({ kind: "finish", checkState: "NONE" });
  });

  it("a failing check gets fix rounds up to fixRounds, then the task ends with the check FAILED", () => {
    const first = afterWorkRun({ ...settings, runs: [run("initial")], check: { passed: false } });
    expect(first).toEqual({ kind: "fix", cause: "check", round: 1, rounds: 2, checkState: "FAILED" });
    const second = afterWorkRun({ ...settings, runs: [run("initial"), run("fix", "DONE", "check")], check: { passed: false } });
    expect(second).toMatchObject({ kind: "fix", round: 2 });
    const last = afterWorkRun({ ...settings, runs: [run("initial"), run("fix", "DONE", "check"), run("fix", "DONE", "check")], check: { passed: false } });
    expect(last).toEqual({ kind: "finish", checkState: "FAILED" });
  });

  it("zero fix rounds: a failing check ends the task at once", () => {
    expect(afterWorkRun({ ...settings, fixRounds: 0, runs: [run("initial")], check: { passed: false } })).toEqual({ kind: "finish", checkState: "FAILED" });
  });

  it("fixes made for a review do not use up the check's rounds", () => {
    const runs = [run("initial"), run("review"), run("fix", "DONE", "review")];
    expect(afterWorkRun({ ...settings, runs, check: { passed: false } })).toMatchObject({ kind: "fix", cause: "check", round: 1 });
  });

  it("a passing check leads to a review while review rounds remain, failed reviews not counted", () => {
    const withReviewer = { ...settings, reviewer: true };
    expect(afterWorkRun({ ...withReviewer, runs: [run("initial")], check: { passed: true } })).toEqual({ kind: "review", round: 1, rounds: 2, checkState: "PASSED" });
    const runs = [run("initial"), run("review", "FAILED"), run("review"), run("fix", "DONE", "review")];
    expect(afterWorkRun({ ...withReviewer, runs, check: null })).toEqual({ kind: "review", round: 2, rounds: 2, checkState: "NONE" });
  });

  it("a person's follow-up starts the rounds afresh", () => {
    const runs = [run("initial"), run("fix", "DONE", "check"), run("fix", "DONE", "check"), run("continue")];
    expect(afterWorkRun({ ...settings, runs, check: { passed: false } })).toMatchObject({ kind: "fix", round: 1 });
  });
});

describe("afterReviewRun", () => {
  it("approve ends the task APPROVED by the agent", () => {
    expect(afterReviewRun({ runs: [run("initial"), run("review")], parsed: approve, reviewRounds: 2 })).toEqual({ kind: "finish", reviewState: "APPROVED", reviewedBy: "agent" });
  });

  it("request_changes sends the findings back while rounds remain, then leaves it to a person", () => {
    const first = afterReviewRun({ runs: [run("initial"), run("review")], parsed: changes, reviewRounds: 2 });
    expect(first).toMatchObject({ kind: "fix", cause: "review", reviewState: "CHANGES_REQUESTED", answer: changes.answer });
    const second = afterReviewRun({ runs: [run("initial"), run("review"), run("fix", "DONE", "review"), run("review")], parsed: changes, reviewRounds: 2 });
    expect(second).toEqual({ kind: "finish", reviewState: "CHANGES_REQUESTED", reviewedBy: "agent" });
  });

  it("an answer that did not parse is an ERROR review", () => {
    expect(afterReviewRun({ runs: [run("initial"), run("review")], parsed: { ok: false, error: "not JSON" }, reviewRounds: 2 })).toEqual({ kind: "finish", reviewState: "ERROR", reviewedBy: "agent" });
  });
});

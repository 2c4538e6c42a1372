import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { largeRepo } from "../../../bench/lib/large-repo";
import { met, ratioOf, renderTable, writeResults, type Figure } from "../../../bench/lib/results";
import { median, percentile } from "../../../bench/lib/stats";

describe("bench statistics", () => {
  it("takes the median of odd and even counts, unsorted input, without changing it", () => {
    const samples = [9, 1, 5];
    expect(median(samples)).toBe(5);
    expect(samples).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("takes percentiles by nearest rank", () => {
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index); // 100..1
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7, 3, 50], 50)).toBe(7);
    expect(percentile([3, 50], 95)).toBe(50);
    expect(percentile([], 95)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe("bench results", () => {
  const figures: Figure[] = [
    { figure: "log pipeline, one run", target: "≥ 25% of raw", unit: "lines/s", measured: 30_000, baseline: 100_000, limit: { value: 0.25, better: "higher", of: "ratio" } },
    { figure: "cold start", target: "< 2 s", unit: "ms", measured: 2500, baseline: 80, limit: { value: 2000, better: "lower" }, note: "tsx compiles server.ts at start" },
    { figure: "RSS after start", target: "< 180 MB", unit: "MB", measured: 150 },
  ];

  it("judges each figure against its limit, by value or by ratio", () => {
    expect(ratioOf(figures[0]!)).toBeCloseTo(0.3);
    expect(met(figures[0]!)).toBe(true);
    expect(met(figures[1]!)).toBe(false);
    expect(met(figures[2]!)).toBeUndefined();
    expect(met({ ...figures[1]!, measured: Number.NaN })).toBeUndefined();
    const dispatch: Figure = { figure: "dispatch", target: "overhead < 50 ms", unit: "ms", measured: 140, baseline: 100, limit: { value: 50, better: "lower", of: "difference" } };
    expect(met(dispatch)).toBe(true);
    expect(met({ ...dispatch, measured: 151 })).toBe(false);
  });

  it("renders one row per figure with measured, baseline and ratio", () => {
    const table = renderTable(figures).split("\n");
    expect(table[0]).toBe("| figure | target | measured | baseline | ratio | met |");
    expect(table).toHaveLength(5);
    expect(table[2]).toBe("| log pipeline, one run | ≥ 25% of raw | 30,000 lines/s | 100,000 lines/s | 0.300 | yes |");
    expect(table[3]).toBe("| cold start | < 2 s | 2,500 ms | 80 ms | 31.3 | **no** |");
    expect(table[4]).toBe("| RSS after start | < 180 MB | 150 MB | – | – | – |");
  });

  it("writes RESULTS.md with the date, the machine, the sizes, the table and the notes", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-results-")), "RESULTS.md");
    const date = new Date("2026-11-30T11:00:00Z");
    writeResults(file, figures, { date, machine: { cpus: 2, cpuModel: "Test CPU", memoryGb: 7.5, node: "v20.0.0", loadAverage: [1, 2, 3] }, mode: "quick", sizes: { tasks: 1000 }, durationS: 61 });
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain("2026-11-30T11:00:00.000Z (quick mode, 61 s)");
    expect(text).toContain("Machine: 2 × Test CPU, 7.5 GB memory, Node v20.0.0");
    expect(text).toContain("Sizes: tasks=1000.");
    expect(text).toContain(renderTable(figures));
    expect(text).toContain("- **cold start**: tsx compiles server.ts at start");
    expect(text).not.toContain("Conditions:");
    writeResults(file, figures, { date, machine: { cpus: 2, cpuModel: "Test CPU", memoryGb: 7.5, node: "v20.0.0", loadAverage: [1, 2, 3] }, mode: "quick", sizes: { tasks: 1000 }, durationS: 61, context: "a CI run shared the machine." });
    expect(fs.readFileSync(file, "utf8")).toContain("Sizes: tasks=1000.\n\nConditions: a CI run shared the machine.\n");
  });
});

describe("bench large repository", () => {
  it("generates a repository of the asked files and commits with one fast-import, then reuses it", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bench-repo-"));
    try {
      const repo = largeRepo(50, 7, cache);
      const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString().trim();
      expect(git("rev-list", "--count", "main")).toBe("7");
      expect(git("ls-files").split("\n")).toHaveLength(50);
      expect(git("status", "--porcelain")).toBe("");
      // Later commits change files: the last one differs from its parent in ten paths at most.
      const changed = git("diff", "--name-only", "main~1", "main").split("\n");
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.length).toBeLessThanOrEqual(10);
      const head = git("rev-parse", "main");
      expect(largeRepo(50, 7, cache)).toBe(repo);
      expect(git("rev-parse", "main")).toBe(head);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("the CPU profile summary", () => {
  const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 9 });
  it("adds each sample's time delta to its own node, groups by part of the stack, and leaves idle out of the busy time", async () => {
    const { summarize } = await import("../../../bench/profile");
    const summary = summarize({
      startTime: 0,
      endTime: 10_000,
      nodes: [
        { id: 1, callFrame: frame("(idle)") },
        { id: 2, callFrame: frame("spawn", "node:internal/child_process") },
        { id: 3, callFrame: frame("findMany", "file:///app/node_modules/@prisma/client/runtime.js") },
        { id: 4, callFrame: frame("handler", "file:///app/.next/server/chunks/123.js") },
      ],
      // Microseconds: 4 ms idle, 3 ms spawn, 2 ms Prisma, 1 ms our code.
      samples: [1, 2, 2, 3, 1, 4, 2, 3, 1, 1],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    });
    expect(summary.totalMs).toBe(10);
    expect(summary.busyMs).toBe(6);
    expect(summary.parts).toEqual([
      ["child processes (spawn)", 3],
      ["Prisma", 2],
      ["AI-Slave (bundled routes and server code)", 1],
    ]);
    expect(summary.functions[0]).toEqual(["spawn (node:internal/child_process:10)", 3]);
  });
});

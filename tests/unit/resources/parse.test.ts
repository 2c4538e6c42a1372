import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseCpuCount,
  parseDfAvailableBytes,
  parseLoadavg,
  parseMeminfo,
  parseNvidiaSmi,
  parseResources,
  parseTmuxVersion,
  SECTION_SEPARATOR,
} from "@/server/resources/parse";

const fixtures = path.resolve(import.meta.dirname, "..", "..", "fixtures");
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");

describe("resource parsers on real output", () => {
  it("reads /proc/meminfo as captured on the build machine", () => {
    // MemTotal 24684084 kB, MemAvailable 23124116 kB.
    expect(parseMeminfo(read("proc/meminfo.txt"))).toEqual({
      totalBytes: 24684084 * 1024,
      availableBytes: 23124116 * 1024,
      usedBytes: (24684084 - 23124116) * 1024,
    });
  });

  it("estimates available memory on kernels without MemAvailable", () => {
    const old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n";
    expect(parseMeminfo(old)).toEqual({ totalBytes: 1000 * 1024, availableBytes: 400 * 1024, usedBytes: 600 * 1024 });
    expect(parseMeminfo("")).toBeNull();
  });

  it("reads /proc/loadavg as captured on the build machine", () => {
    expect(parseLoadavg(read("proc/loadavg.txt"))).toEqual([3.58, 2.75, 1.54]);
    expect(parseLoadavg("garbage")).toBeNull();
  });

  it("reads df -Pk's available blocks as bytes", () => {
    expect(parseDfAvailableBytes(read("proc/df-pk.txt"))).toBe(78950772 * 1024);
    const spaced = "Filesystem 1024-blocks Used Available Capacity Mounted on\nmy disk 100 40 60 40% /mnt/with space\n";
    expect(parseDfAvailableBytes(spaced)).toBe(60 * 1024);
    expect(parseDfAvailableBytes("df: /nope: No such file or directory\n")).toBeNull();
  });

  it("reads nvidia-smi's CSV (fixture written by hand from the documented format)", () => {
    expect(parseNvidiaSmi(read("nvidia-smi-documented-format.csv"))).toEqual([
      { index: 0, name: "NVIDIA H100 80GB HBM3", memoryUsedMiB: 1234, memoryTotalMiB: 81559, utilizationPct: 7 },
      { index: 1, name: "NVIDIA H100 80GB HBM3", memoryUsedMiB: 80123, memoryTotalMiB: 81559, utilizationPct: 100 },
      { index: 2, name: "NVIDIA A100-SXM4-40GB", memoryUsedMiB: 0, memoryTotalMiB: 40960, utilizationPct: 0 },
    ]);
    expect(parseNvidiaSmi("")).toEqual([]);
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")).toEqual([]);
  });

  it("reads tmux -V and the CPU count", () => {
    expect(parseTmuxVersion("tmux 3.3a\n")).toBe("3.3a");
    expect(parseTmuxVersion("bash: tmux: command not found")).toBeNull();
    expect(parseCpuCount("2\n")).toBe(2);
    expect(parseCpuCount("")).toBeNull();
  });

  it("splits the one-round-trip probe's sections; no GPU is an empty list", () => {
    const output = [read("proc/meminfo.txt"), `${SECTION_SEPARATOR}\n`, read("proc/loadavg.txt"), `${SECTION_SEPARATOR}\n`, "2\n", `${SECTION_SEPARATOR}\n`].join("");
    const resources = parseResources(output);
    expect(resources.memory?.totalBytes).toBe(24684084 * 1024);
    expect(resources.load).toEqual([3.58, 2.75, 1.54]);
    expect(resources.cpus).toBe(2);
    expect(resources.gpus).toEqual([]);
  });
});

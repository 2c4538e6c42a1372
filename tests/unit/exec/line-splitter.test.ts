import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_BYTES, lineCutMarker, splitLines } from "@/server/exec/line-splitter";

function collect(chunks: Buffer[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("decodes multi-byte UTF-8 characters split across chunks", () => {
    const bytes = Buffer.from("é€😀 done\nnext\n", "utf8");
    const oneByteChunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(collect(oneByteChunks)).toEqual(["é€😀 done", "next"]);
  });

  it("delivers a last line without a trailing newline at the end", () => {
    expect(collect([Buffer.from("first\nlast")])).toEqual(["first", "last"]);
  });

  it("treats \\r\\n as one line ending, even split across chunks", () => {
    expect(collect([Buffer.from("a\r"), Buffer.from("\nb\r\n")])).toEqual(["a", "b"]);
  });

  it("keeps empty lines and a lone \\r inside a line", () => {
    expect(collect([Buffer.from("\n\n50%\r100%\n")])).toEqual(["", "", "50%\r100%"]);
  });

  it("joins a line that arrives in many chunks", () => {
    const chunks = Array.from({ length: 1000 }, () => Buffer.from("x".repeat(1000)));
    const lines = collect([...chunks, Buffer.from("\n")]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(1_000_000);
  });
});

describe("the 1 MB line cap", () => {
  it("cuts a 5 MB line at 1 MB with a marker counting the rest, and goes on with the next line", () => {
    const chunks = Array.from({ length: 80 }, () => Buffer.from("y".repeat(64 * 1024)));
    const lines = collect([...chunks, Buffer.from("\nafter\n")]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${"y".repeat(MAX_LINE_BYTES)}${lineCutMarker(80 * 64 * 1024 - MAX_LINE_BYTES)}`);
    expect(lines[1]).toBe("after");
  });

  it("cuts at a character boundary and marks a cut last line without a newline too", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 10);
    splitter.push(Buffer.from("aaaaaaaaa€€"));
    splitter.end();
    expect(lines).toEqual([`aaaaaaaaa${lineCutMarker(6)}`]);
  });

  it("keeps a line of exactly 1 MB whole", () => {
    const lines = collect([Buffer.from(`${"z".repeat(MAX_LINE_BYTES)}\n`)]);
    expect(lines).toEqual(["z".repeat(MAX_LINE_BYTES)]);
  });
});

describe("splitLines", () => {
  it("splits a whole text", () => {
    expect(splitLines("a\r\nb\n\nc")).toEqual(["a", "b", "", "c"]);
    expect(splitLines("")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { LineSplitter, splitLines } from "@/server/exec/line-splitter";

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

describe("splitLines", () => {
  it("splits a whole text", () => {
    expect(splitLines("a\r\nb\n\nc")).toEqual(["a", "b", "", "c"]);
    expect(splitLines("")).toEqual([]);
  });
});

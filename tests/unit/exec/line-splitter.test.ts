import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineSplitter, MAX_LINE_BYTES, lineCutMarker, splitLines, utf8Prefix } from "@/server/exec/line-splitter";

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

describe("LineSplitter against a model", () => {
  /** What the splitter must give for a whole text: split at \n, a trailing \r dropped, a line past the cap cut with its marker. */
  function model(text: string, cap: number): string[] {
    const segments = text.split("\n");
    if (segments.at(-1) === "") segments.pop();
    return segments.map((raw) => {
      const bytes = Buffer.byteLength(raw);
      if (bytes <= cap) return raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      const kept = utf8Prefix(raw, cap);
      return `${kept}${lineCutMarker(bytes - Buffer.byteLength(kept))}`;
    });
  }

  it("gives the model's lines for any text, cap and chunking (short lines pass whole, long ones are counted and cut)", () => {
    const text = fc.array(fc.oneof(fc.string({ unit: "binary", maxLength: 30 }), fc.constantFrom("\n", "\r\n", "\r", "€€€€€€", "😀😀😀")), { maxLength: 30 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }), (whole, cap, sizes) => {
        const bytes = Buffer.from(whole, "utf8");
        const chunks: Buffer[] = [];
        for (let at = 0, index = 0; at < bytes.length; index += 1) {
          const size = sizes[index % sizes.length]!;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const lines: string[] = [];
        const splitter = new LineSplitter((line) => lines.push(line), cap);
        for (const chunk of chunks) splitter.push(chunk);
        splitter.end();
        // The model is of the text as the splitter decodes it (a lone surrogate becomes U+FFFD).
        expect(lines).toEqual(model(bytes.toString("utf8"), cap));
      }),
      { numRuns: 500 },
    );
  });
});

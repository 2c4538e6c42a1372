import { describe, expect, it } from "vitest";
import { anchorOf, locateAnchor } from "@/server/verify/anchor";

const file = "a\nb\nc\nd\n";

describe("comment anchors", () => {
  it("keeps the text of the commented lines, and refuses lines past the end", () => {
    expect(anchorOf(file, 2, 3)).toBe("b\nc");
    expect(anchorOf(file, 4, 4)).toBe("d");
    expect(anchorOf(file, 4, 5)).toBeNull();
    expect(anchorOf(file, 0, 1)).toBeNull();
  });

  it("finds lines that stayed, that moved (nearest copy) and marks them outdated when gone", () => {
    expect(locateAnchor("b\nc", 2, file)).toEqual({ startLine: 2, endLine: 3, outdated: false });
    expect(locateAnchor("b\nc", 2, "new\nnew\na\nb\nc\nd\n")).toEqual({ startLine: 4, endLine: 5, outdated: false });
    expect(locateAnchor("x", 9, "x\n1\n2\n3\n4\n5\n6\n7\nx\n")).toEqual({ startLine: 9, endLine: 9, outdated: false });
    expect(locateAnchor("b\nc", 2, "a\nb\nC\nd\n")).toEqual({ startLine: null, endLine: null, outdated: true });
    expect(locateAnchor("b", 2, null)).toEqual({ startLine: null, endLine: null, outdated: true });
  });
});

import { describe, expect, it } from "vitest";
import { parsePatch } from "@/components/diff/parse-patch";

const PATCH = `diff --git a/greeting.txt b/greeting.txt
new file mode 100644
index 0000000..3b18e51
--- /dev/null
+++ b/greeting.txt
@@ -0,0 +1 @@
+hello
diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1,2 +1,2 @@
 # repo
-old line
+new line
`;

describe("parsePatch", () => {
  it("splits files and numbers their lines, with no phantom line at the end", () => {
    const [added, changed] = parsePatch(PATCH);
    expect(added!.path).toBe("greeting.txt");
    expect(added!.lines).toEqual([
      { kind: "hunk", text: "@@ -0,0 +1 @@" },
      { kind: "add", text: "hello", newNumber: 1 },
    ]);
    expect(changed!.path).toBe("README.md");
    expect(changed!.lines.map((line) => [line.kind, line.text])).toEqual([
      ["hunk", "@@ -1,2 +1,2 @@"],
      ["context", "# repo"],
      ["del", "old line"],
      ["add", "new line"],
    ]);
    expect(changed!.lines[2]).toMatchObject({ oldNumber: 2 });
    expect(changed!.lines[3]).toMatchObject({ newNumber: 2 });
  });
});

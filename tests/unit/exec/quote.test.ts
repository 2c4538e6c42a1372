import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { execScript, loginShellArgv, remoteCommandLine, shellJoin, shellQuote, STDOUT_MARKER_END, STDOUT_MARKER_START } from "@/server/exec/quote";

/** What a POSIX shell makes of a command line: each word, as printf sees it. */
function wordsThroughShell(line: string): string[] {
  const out = execFileSync("sh", ["-c", `printf '%s\\0' ${line}`]).toString();
  return out.split("\0").slice(0, -1);
}

describe("shell quoting", () => {
  it("keeps plain words readable and quotes everything else", () => {
    expect(shellQuote("git")).toBe("git");
    expect(shellQuote("/a/b-c_d.e:f@g%h+i,j")).toBe("/a/b-c_d.e:f@g%h+i,j");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("=cmd")).toBe("'=cmd'");
    expect(shellQuote("a b")).toBe("'a b'");
  });

  it("refuses NUL, which no argv can carry", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });

  it("round-trips tricky words through a real sh", () => {
    const words = ["", "'", "''", "\\", "$(id)", "`id`", "${HOME}", "a\nb", "*", "~", "!", "-n", "日本語 😀", "\t\r"];
    expect(wordsThroughShell(shellJoin(words))).toEqual(words);
  });

  it("nests the container and login shell layers", () => {
    expect(loginShellArgv({ shell: "zsh" }, "echo hi")).toEqual(["zsh", "-lc", "echo hi"]);
    expect(loginShellArgv({ shell: "bash", container: "box" }, "x")).toEqual(["docker", "exec", "-i", "box", "bash", "-lc", "x"]);
    expect(loginShellArgv({ shell: "bash", container: "box" }, "x", { tty: true })).toEqual(["docker", "exec", "-it", "box", "bash", "-lc", "x"]);
  });

  it("hands the account's shell one line that bash, zsh, dash and fish all parse alike", () => {
    const script = `printf '%s|' "it's" 'a\\b' "$(printf x)" '日本語'; printf '\\n'`;
    const line = remoteCommandLine({ shell: "bash" }, script);
    // Only characters whose meaning no shell changes: no backslash, no quote inside the quotes.
    expect(line).toMatch(/^sh -c 'eval "exec \$\(printf %s [A-Za-z0-9+/=]+ \| base64 -d\)"'$/);
    const payload = /printf %s (\S+) \|/.exec(line)![1]!;
    expect(Buffer.from(payload, "base64").toString("utf8")).toBe(shellJoin(["bash", "-lc", script]));
    // An empty home: the login shell's profile is not what this test measures.
    const env = { ...process.env, HOME: fs.mkdtempSync(path.join(os.tmpdir(), "ai-slave-home-")) };
    const outputs = ["bash", "zsh", "dash", "fish"].map((shell) => execFileSync(shell, ["-c", line], { env }).toString());
    expect(outputs).toEqual(Array(4).fill("it's|a\\b|x|日本語|\n"));
  });

  it("builds an exec script that cds, exports, marks stdout with its pid and execs", () => {
    const script = execScript({ argv: ["printf", "%s", "it's"], cwd: "/tmp", env: { GREETING: "a 'b'" } });
    const out = execFileSync("bash", ["-c", script]).toString();
    expect(out).toMatch(new RegExp(`^${STDOUT_MARKER_START}\\d+${STDOUT_MARKER_END}it's$`));
    expect(execFileSync("bash", ["-c", execScript({ argv: ["sh", "-c", 'printf "%s" "$GREETING"'], cwd: "/", env: { GREETING: "a 'b'" } })]).toString()).toContain("a 'b'");
    expect(() => execScript({ argv: ["true"], cwd: "/", env: { "BAD NAME": "x" } })).toThrow(/invalid environment variable name/);
  });
});

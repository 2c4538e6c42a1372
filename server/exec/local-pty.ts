import { execFile, spawn } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { shellJoin } from "@/server/exec/quote";
import type { TerminalPty, TerminalSize } from "./transport";

export const TERM = "xterm-256color";

/**
 * A PTY on this machine without a native module: util-linux `script` allocates it and runs argv
 * in it. Its size is set with `stty` on the PTY, found through /proc (Linux), which sends the
 * program SIGWINCH like a terminal emulator would.
 */
export function openLocalPty(argv: string[], cwd: string, size: TerminalSize, shell = "/bin/sh"): TerminalPty {
  const command = `stty rows ${size.rows} cols ${size.cols} 2>/dev/null; exec ${shellJoin(argv)}`;
  const program = path.basename(argv[0] ?? "");
  // Retries of an early resize must not undo a later one: each try applies the latest size.
  let wanted = size;
  const child = spawn("script", ["-qfc", command, "/dev/null"], {
    cwd,
    // tmux starts new sessions in $SHELL.
    env: { ...process.env, TERM, SHELL: shell },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.on("error", () => undefined);
  return {
    onData: (listener) => {
      child.stdout.on("data", listener);
      child.stderr.on("data", listener);
    },
    onExit: (listener) => child.once("close", (code) => listener(code)),
    write: (data) => void child.stdin.write(data),
    resize: (cols, rows) => {
      wanted = { cols, rows };
      applySize(child.pid, program, () => wanted);
    },
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
    // script(1) ignores SIGHUP: the hangup goes to the program in the PTY (tmux detaches), and script follows it out.
    close: () => {
      const program = child.pid ? childOf(child.pid) : null;
      try {
        if (program) process.kill(program, "SIGHUP");
        else child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Sets the PTY's size. Right after the start `script` may not have made it yet, and the wrapper
 * shell's own first `stty` would undo an earlier change: it waits until `program` runs.
 */
function applySize(scriptPid: number | undefined, program: string, size: () => TerminalSize, triesLeft = 30): void {
  const pts = scriptPid ? ptyOf(scriptPid, program) : null;
  if (pts) execFile("stty", ["-F", pts, "rows", String(size().rows), "cols", String(size().cols)], () => undefined);
  else if (scriptPid && triesLeft > 0) setTimeout(() => applySize(scriptPid, program, size, triesLeft - 1), 100).unref();
}

/** The program `script` runs in the PTY. */
function childOf(scriptPid: number): number | null {
  try {
    const first = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

/** The PTY `script` made (the terminal its child has as stdin), once the child runs `program`. */
function ptyOf(scriptPid: number, program: string): string | null {
  const child = childOf(scriptPid);
  try {
    if (!child || !readFileSync(`/proc/${child}/comm`, "utf8").startsWith(program.slice(0, 15))) return null;
    const target = readlinkSync(`/proc/${child}/fd/0`);
    return target.startsWith("/dev/pts/") ? target : null;
  } catch {
    return null;
  }
}

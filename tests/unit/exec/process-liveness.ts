import { readdirSync, readFileSync } from "node:fs";

/** Whether pid is a running process; a zombie (exited, not yet reaped) counts as gone. */
export function isProcessRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    try {
      process.kill(pid, 0);
      return process.platform !== "linux";
    } catch {
      return false;
    }
  }
}

/** The running processes (this one and zombies left out) whose /proc/<pid>/<file> passes `test`. */
function processesWhere(file: "cmdline" | "environ", test: (text: string) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (test(readFileSync(`/proc/${name}/${file}`, "utf8")) && isProcessRunning(Number(name))) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The running processes whose command line holds `marker` (a test's unique argument), zombies not counted. */
export function processesWith(marker: string): number[] {
  return processesWhere("cmdline", (text) => text.includes(marker));
}

/** The running processes whose environment holds `entry` ("NAME=value"), zombies not counted. */
export function processesWithEnv(entry: string): number[] {
  return processesWhere("environ", (text) => text.split("\0").includes(entry));
}

/** Signals every process in the group led by `pid`. Returns false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Signal 0 to a pid (negative: a process group): whether it exists; EPERM means it runs as another user. */
function exists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether any process (zombies included) is still in the group led by `pid`. */
export function isGroupAlive(pid: number): boolean {
  return exists(-pid);
}

/** Whether the process `pid` (a zombie included) still exists. */
export function isProcessAlive(pid: number): boolean {
  return exists(pid);
}

/**
 * The terminal WebSocket's messages. Binary frames carry terminal bytes both ways, untouched.
 * Text frames carry JSON control messages: from the browser `{type:"resize",cols,rows}` (and
 * `{type:"input",data}` for text input); from the server `{type:"ready",session}`,
 * `{type:"exit",code}` and `{type:"error",message}`. The browser's first message is its size:
 * the server opens the PTY at it (at 120x32 when none came within a second).
 */

export type ClientMessage = { kind: "input"; data: Buffer } | { kind: "resize"; cols: number; rows: number } | { kind: "invalid"; reason: string };

export type ServerControl = { type: "ready"; session: string } | { type: "exit"; code: number | null } | { type: "error"; message: string };

const MAX_DIMENSION = 1000;

function dimension(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= MAX_DIMENSION ? value : null;
}

export function parseClientMessage(data: Buffer, isBinary: boolean): ClientMessage {
  if (isBinary) return { kind: "input", data };
  let message: unknown;
  try {
    message = JSON.parse(data.toString("utf8"));
  } catch {
    return { kind: "invalid", reason: "a text frame must be JSON" };
  }
  const record = (message && typeof message === "object" ? message : {}) as Record<string, unknown>;
  if (record.type === "input" && typeof record.data === "string") return { kind: "input", data: Buffer.from(record.data, "utf8") };
  if (record.type === "resize") {
    const cols = dimension(record.cols);
    const rows = dimension(record.rows);
    if (cols && rows) return { kind: "resize", cols, rows };
    return { kind: "invalid", reason: "resize needs integer cols and rows between 1 and 1000" };
  }
  return { kind: "invalid", reason: `unknown message type ${JSON.stringify(record.type)}` };
}

/**
 * The tmux command that attaches to the task's session, creating it in the worktree if absent.
 * `-u`: the browser's terminal is UTF-8 whatever the host's locale says.
 */
export function tmuxAttachArgv(sessionName: string, cwd: string): string[] {
  return ["tmux", "-u", "new-session", "-A", "-s", sessionName, "-c", cwd];
}

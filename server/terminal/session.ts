import "server-only";
import { requirePlacedWith } from "@/server/lifecycle/placed";
import type { WebSocket } from "ws";
import { notFound } from "@/lib/errors";
import { db } from "@/server/db/client";
import type { Task, Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import type { TerminalPty, TerminalSize } from "@/server/exec/transport";
import { taskSessionName } from "@/server/runs/session";
import { parseClientMessage, tmuxAttachArgv, type ClientMessage, type ServerControl } from "./protocol";

/** Output waits while the browser has this much unsent: a slow tab cannot grow server memory. */
const HIGH_WATER_BYTES = 1024 * 1024;
const DEFAULT_SIZE: TerminalSize = { cols: 120, rows: 32 };
/** How long the PTY waits for the page's size (its first message) before it opens at the default. */
const FIRST_SIZE_WAIT_MS = 1_000;

export interface TerminalTarget {
  task: Task & { workspace: Workspace };
  sessionName: string;
  cwd: string;
}

/** The task's tmux session and where it starts: the worktree, or the repository before one exists. */
export async function terminalTarget(taskId: number): Promise<TerminalTarget> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { workspace: true } });
  if (!task) throw notFound("task", taskId);
  const placed = requirePlacedWith(task);
  return { task: placed, sessionName: await taskSessionName(task.id), cwd: placed.worktreePath ?? placed.workspace.path };
}

async function openPty(target: TerminalTarget, size: TerminalSize): Promise<TerminalPty> {
  const argv = tmuxAttachArgv(target.sessionName, target.cwd);
  return transportFor(target.task.workspace).openPty(argv, size);
}

function send(socket: WebSocket, control: ServerControl): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(control));
}

/** Connects a browser's WebSocket to the task's tmux session until either side goes away. */
export async function runTerminalSession(socket: WebSocket, taskId: number): Promise<void> {
  // What the browser sends while the PTY opens is kept, not lost: typing ahead works.
  const early: ClientMessage[] = [];
  let pty: TerminalPty | null = null;
  let closed = false;
  // The page sends its size first: the PTY opens at it, so no program in it starts at another.
  let sized: () => void = () => undefined;
  const firstSize = new Promise<void>((resolve) => {
    sized = resolve;
    setTimeout(resolve, FIRST_SIZE_WAIT_MS).unref();
  });
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    const message = parseClientMessage(data, isBinary);
    if (pty) return handle(socket, pty, message);
    early.push(message);
    if (message.kind === "resize") sized();
  });
  // Closing the page detaches from tmux; the session (and an agent in it) lives on.
  socket.on("close", () => {
    closed = true;
    sized();
    pty?.close();
  });
  let target: TerminalTarget;
  try {
    target = await terminalTarget(taskId);
    await firstSize;
    if (closed) return;
    const asked = early.filter((message): message is Extract<ClientMessage, { kind: "resize" }> => message.kind === "resize").at(-1);
    pty = await openPty(target, asked ? { cols: asked.cols, rows: asked.rows } : DEFAULT_SIZE);
  } catch (error) {
    send(socket, { type: "error", message: error instanceof Error ? error.message : String(error) });
    socket.close(1011, "terminal unavailable");
    return;
  }
  if (closed) return pty.close();
  const opened = pty;
  send(socket, { type: "ready", session: target.sessionName });
  opened.onData((chunk) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(chunk, { binary: true });
    if (socket.bufferedAmount > HIGH_WATER_BYTES) waitForDrain(socket, opened);
  });
  opened.onExit((code) => {
    send(socket, { type: "exit", code });
    socket.close(1000, "terminal closed");
  });
  for (const message of early.splice(0)) handle(socket, opened, message);
}

function handle(socket: WebSocket, pty: TerminalPty, message: ClientMessage): void {
  if (message.kind === "input") pty.write(message.data);
  else if (message.kind === "resize") pty.resize(message.cols, message.rows);
  else send(socket, { type: "error", message: message.reason });
}

function waitForDrain(socket: WebSocket, pty: TerminalPty): void {
  pty.pause();
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount < HIGH_WATER_BYTES / 4) {
      clearInterval(timer);
      pty.resume();
    }
  }, 20);
}

import "server-only";
import { WebSocketServer } from "ws";
import { processCounter } from "@/server/singleton";
import { setTerminalEndpoint } from "./endpoint-registry";
import { runTerminalSession } from "./session";

const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Terminals open at once; the next upgrade is answered 429. */
export const MAX_TERMINALS = 20;
const open = () => processCounter("terminals-open");

export function openTerminalCount(): number {
  return open().value;
}

function countOpen(delta: number): void {
  open().value += delta;
}

/**
 * Makes the terminal WebSocket available to server.ts's upgrade hook. Called from Next's side
 * (instrumentation, or the terminal route), where the database and SSH pool are; calling it
 * again (a dev reload) replaces the handler with the current code.
 */
export function registerTerminalEndpoint(): void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  setTerminalEndpoint((request, socket, head, taskId) => {
    if (openTerminalCount() >= MAX_TERMINALS) {
      const message = `${MAX_TERMINALS} terminals are open already; close one and try again.`;
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message) + 1}\r\n\r\n${message}\n`);
      return;
    }
    // Counted from the upgrade on, so a burst of upgrades cannot pass the cap together.
    countOpen(1);
    let counted = true;
    const release = () => {
      if (counted) countOpen(-1);
      counted = false;
    };
    socket.once("close", release);
    sockets.handleUpgrade(request, socket, head, (ws) => {
      ws.once("close", release);
      void runTerminalSession(ws, taskId);
    });
  });
}

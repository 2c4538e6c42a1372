import "server-only";
import { WebSocketServer } from "ws";
import { setTerminalEndpoint } from "./endpoint-registry";
import { runTerminalSession } from "./session";

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Makes the terminal WebSocket available to server.ts's upgrade hook. Called from Next's side
 * (instrumentation, or the terminal route), where the database and SSH pool are; calling it
 * again (a dev reload) replaces the handler with the current code.
 */
export function registerTerminalEndpoint(): void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  setTerminalEndpoint((request, socket, head, taskId) => {
    sockets.handleUpgrade(request, socket, head, (ws) => void runTerminalSession(ws, taskId));
  });
}

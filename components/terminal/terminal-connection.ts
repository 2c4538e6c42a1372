/**
 * The browser side of the terminal WebSocket (server/terminal/protocol.ts): binary frames are
 * terminal bytes both ways, text frames are JSON control messages.
 */
import { checkSession } from "@/lib/api-client";

export type TerminalStatus = "connecting" | "connected" | "closed";

export interface TerminalConnectionHandlers {
  onOutput(bytes: Uint8Array): void;
  onStatus(status: TerminalStatus, detail?: string): void;
}

export interface TerminalConnection {
  sendInput(text: string): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

export function terminalSocketUrl(path: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

export function openTerminalConnection(path: string, size: { cols: number; rows: number }, handlers: TerminalConnectionHandlers): TerminalConnection {
  const socket = new WebSocket(terminalSocketUrl(path));
  socket.binaryType = "arraybuffer";
  const encoder = new TextEncoder();
  let lastSize = size;
  let detail: string | undefined;
  handlers.onStatus("connecting");
  const sendResize = () => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "resize", ...lastSize }));
  };
  socket.onopen = sendResize;
  socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
    if (typeof event.data !== "string") return handlers.onOutput(new Uint8Array(event.data));
    const control = JSON.parse(event.data) as { type: string; session?: string; code?: number | null; message?: string };
    if (control.type === "ready") handlers.onStatus("connected", control.session);
    else if (control.type === "exit") detail = `The terminal ended${control.code != null ? ` (exit ${control.code})` : ""}.`;
    else if (control.type === "error") detail = control.message;
  };
  socket.onclose = (event) => {
    if (event.code !== 1000) void checkSession();
    handlers.onStatus("closed", detail ?? (event.code === 1000 ? undefined : `Connection closed (${event.code}${event.reason ? `: ${event.reason}` : ""}).`));
  };
  return {
    sendInput: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(text));
    },
    resize: (cols, rows) => {
      if (cols === lastSize.cols && rows === lastSize.rows) return;
      lastSize = { cols, rows };
      sendResize();
    },
    close: () => socket.close(1000),
  };
}

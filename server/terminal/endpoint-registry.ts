/**
 * Where server.ts finds the terminal WebSocket handler. The handler needs the database and the
 * SSH pool, which live in Next's bundles ("server-only" modules cannot load in server.ts), so
 * the Next side registers it here, on globalThis, and the upgrade hook only looks it up.
 * This file imports only singleton.ts (which imports nothing), so both sides can load it.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { peekSingleton, setSingleton } from "../singleton";

export type TerminalUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer, taskId: number) => void;

export function setTerminalEndpoint(handler: TerminalUpgrade | undefined): void {
  setSingleton("terminal-endpoint", handler);
}

export function terminalEndpoint(): TerminalUpgrade | undefined {
  return peekSingleton<TerminalUpgrade>("terminal-endpoint");
}

/** `/api/tasks/12/terminal` -> 12. */
export function terminalTaskId(pathname: string): number | null {
  const match = /^\/api\/tasks\/(\d{1,9})\/terminal\/?$/.exec(pathname);
  return match ? Number(match[1]) : null;
}

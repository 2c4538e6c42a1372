"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef } from "react";
import { openTerminalConnection, type TerminalStatus } from "./terminal-connection";

/** Bounded: a terminal left open for days must not grow the tab's memory without end. */
const SCROLLBACK_LINES = 5000;

export interface TerminalViewProps {
  websocketPath: string;
  /** Changing it reconnects. */
  connectKey: number;
  onStatus(status: TerminalStatus, detail?: string): void;
}

/** An xterm.js terminal wired to the task's tmux session; fits its box and follows window resizes. */
export function TerminalView({ websocketPath, connectKey, onStatus }: TerminalViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const statusRef = useRef(onStatus);
  useEffect(() => {
    statusRef.current = onStatus;
  });

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    void (async () => {
      // xterm.js needs the DOM: loaded in the browser only.
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !box.current) return;
      const terminal = new Terminal({ scrollback: SCROLLBACK_LINES, cursorBlink: true, fontSize: 13, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" });
      const fit = new FitAddon();
      terminal.loadAddon(fit);
      terminal.open(box.current);
      fit.fit();
      const connection = openTerminalConnection(websocketPath, { cols: terminal.cols, rows: terminal.rows }, {
        onOutput: (bytes) => terminal.write(bytes),
        onStatus: (status, detail) => statusRef.current(status, detail),
      });
      const input = terminal.onData((text) => connection.sendInput(text));
      const resize = terminal.onResize(({ cols, rows }) => connection.resize(cols, rows));
      let frame = 0;
      const refit = () => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => fit.fit());
      };
      window.addEventListener("resize", refit);
      const observer = new ResizeObserver(refit);
      observer.observe(box.current);
      terminal.focus();
      cleanup = () => {
        cancelAnimationFrame(frame);
        window.removeEventListener("resize", refit);
        observer.disconnect();
        input.dispose();
        resize.dispose();
        connection.close();
        terminal.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [websocketPath, connectKey]);

  return <div ref={box} className="h-full min-h-0 w-full overflow-hidden rounded-md border bg-black p-1" data-testid="terminal" />;
}

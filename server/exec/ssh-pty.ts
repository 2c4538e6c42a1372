import { randomUUID } from "node:crypto";
import { remoteCommandLine, shellJoin, shellQuote } from "./quote";
import { execRemote, type RemoteContext } from "./ssh-exec";
import { TERM } from "./local-pty";
import type { TerminalPty, TerminalSize } from "./transport";

/** Hangs up the terminal's program by the pid it wrote. Argument: the pid file. */
const HANGUP_SCRIPT = 'p=$(cat -- "$1" 2>/dev/null) && kill -s HUP "$p" 2>/dev/null; rm -f -- "$1"';

/**
 * A PTY on the SSH host (ssh2 exec with a pty request) running argv in the login shell; in a
 * container through `docker exec -it`, whose client passes the PTY's size changes on.
 */
export async function openSshPty(context: RemoteContext, argv: string[], size: TerminalSize): Promise<TerminalPty> {
  const { pool, endpoint, target } = context;
  const pidFile = `/tmp/ai-slave-terminal-${randomUUID()}.pid`;
  const script = [`export TERM=${TERM}`, `echo $$ > ${shellQuote(pidFile)}`, `exec ${shellJoin(argv)}`].join("\n");
  const channel = await pool.exec(endpoint, remoteCommandLine(target, script, { tty: true }), { term: TERM, cols: size.cols, rows: size.rows });
  let exitCode: number | null = null;
  channel.on("exit", (code: number | null) => (exitCode = typeof code === "number" ? code : null));
  channel.on("error", () => undefined);
  return {
    onData: (listener) => {
      channel.on("data", listener);
      // With a PTY everything arrives on stdout; anything on stderr is shown all the same.
      channel.stderr.on("data", listener);
    },
    onExit: (listener) => channel.once("close", () => listener(exitCode)),
    write: (data) => void channel.write(data),
    resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
    pause: () => channel.pause(),
    resume: () => channel.resume(),
    close: () => {
      channel.close();
      // A process started by `docker exec` outlives its client: hang it up where it runs (tmux detaches).
      void execRemote(context, ["sh", "-c", HANGUP_SCRIPT, "hangup", pidFile], { cwd: "/" }).catch(() => undefined);
    },
  };
}

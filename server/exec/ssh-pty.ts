import { randomUUID } from "node:crypto";
import { remoteCommandLine, shellJoin, shellQuote } from "./quote";
import { execRemote, type RemoteContext } from "./ssh-exec";
import { channelExit } from "./ssh-pool";
import { TERM } from "./local-pty";
import type { TerminalPty, TerminalSize } from "./transport";

/** Hangs up the terminal's program by the pid it wrote. Argument: the pid file. */
const HANGUP_SCRIPT = 'p=$(cat -- "$1" 2>/dev/null) && kill -s HUP "$p" 2>/dev/null; rm -f -- "$1"';

/** After a container terminal's first output, how long before a size it may have missed is sent again. */
const CONTAINER_RESIZE_SETTLE_MS = 300;

/**
 * A PTY on the SSH host (ssh2 exec with a pty request) running argv in the login shell; in a
 * container through `docker exec -it`, whose client passes the PTY's size changes on.
 *
 * The docker client reads the PTY's size when it starts and follows SIGWINCH only from a moment
 * later: a resize in between is lost, and the same size sent again is no change, so no signal.
 * So in a container, a size set before the terminal's first output settled is set again then,
 * by way of one row more, which the client does see change.
 */
export async function openSshPty(context: RemoteContext, argv: string[], size: TerminalSize): Promise<TerminalPty> {
  const { pool, endpoint, target } = context;
  const pidFile = `/tmp/ai-slave-terminal-${randomUUID()}.pid`;
  const script = [`export TERM=${TERM}`, `echo $$ > ${shellQuote(pidFile)}`, `exec ${shellJoin(argv)}`].join("\n");
  const channel = await pool.exec(endpoint, remoteCommandLine(target, script, { tty: true }), { term: TERM, cols: size.cols, rows: size.rows });
  channel.on("error", () => undefined);
  let current = size;
  let settled = !target.container;
  let resizedEarly = false;
  const setWindow = ({ cols, rows }: TerminalSize) => channel.setWindow(rows, cols, 0, 0);
  const settleSoon = () => {
    setTimeout(() => {
      settled = true;
      if (!resizedEarly) return;
      setWindow({ cols: current.cols, rows: current.rows + 1 });
      setWindow(current);
    }, CONTAINER_RESIZE_SETTLE_MS).unref();
  };
  return {
    onData: (listener) => {
      channel.on("data", listener);
      // With a PTY everything arrives on stdout; anything on stderr is shown all the same.
      channel.stderr.on("data", listener);
      if (!settled) channel.once("data", settleSoon);
    },
    onExit: (listener) => channel.once("close", () => listener(channelExit(channel)?.code ?? null)),
    write: (data) => void channel.write(data),
    resize: (cols, rows) => {
      current = { cols, rows };
      if (!settled) resizedEarly = true;
      setWindow(current);
    },
    pause: () => channel.pause(),
    resume: () => channel.resume(),
    close: () => {
      channel.close();
      // A process started by `docker exec` outlives its client: hang it up where it runs (tmux detaches).
      void execRemote(context, ["sh", "-c", HANGUP_SCRIPT, "hangup", pidFile], { cwd: "/" }).catch(() => undefined);
    },
  };
}

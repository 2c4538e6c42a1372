/**
 * The spawner: a small Node process that starts the server's short commands (git, probes, the
 * run scripts) and sends back what they printed. Starting a process blocks the thread that calls
 * spawn() until the child has exec'd, several milliseconds on a virtual machine; in the server that
 * thread is the one answering every request (bench/PROFILE.md measured 47% of its busy time there).
 * Here it blocks nobody.
 *
 * Plain CommonJS with no imports beyond Node's own: it runs under bare `node`, without the
 * TypeScript loader or Next's bundle, so it starts in a few tens of milliseconds.
 *
 * Protocol, one JSON object per line. In: {id, argv, cwd, env, stdin?, timeoutMs?, capBytes,
 * drainMs, stream?}. Out: {id, exitCode, signal, stdout, stderr (base64 of the kept bytes),
 * stdoutDropped, stderrDropped, timedOut, startError?: {code, message}}. A `stream` request gets
 * its output as it comes instead ({id, o: base64} and {id, e: base64}), then the same final
 * answer with nothing kept; {kill: id} ends a command and what it started; {checkpoint: {file,
 * module, intervalMs}} starts the WAL checkpointer of a database (below). The server's end is
 * server/exec/spawner.ts.
 * When its stdin closes (the server exited or was killed) nobody can read an answer any more: a
 * command still running is let finish for ORPHAN_GRACE_MS (a git command ends, and with it its
 * lock), then ended with everything below it, SIGTERM and SIGKILL 2 s later, and the spawner exits.
 * Left to run on, a long one (a check, a setup script) ran beside the same step started again by
 * the next server, in the same worktree.
 */
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");

// The niceness asked for (argv[2]), for this process and so for every command it starts; never
// lower than it already is (lowering needs privileges, and is not this process's to ask).
const nice = Math.min(19, Math.max(0, Math.trunc(Number(process.argv[2] ?? 0)) || 0));
try {
  if (nice > os.getPriority()) os.setPriority(nice);
} catch {
  // A system that refuses: the commands run at the server's priority, as before.
}

/**
 * The server starts this process in a session of its own (spawner.ts), so a terminal's Ctrl-C,
 * which goes to the server's process group, does not reach the commands in flight: the server
 * stops in its own time, and a `git worktree add` or a landing's merge is not cut in half. Under
 * the kernel's autogroup scheduling a session is a scheduling group whose share of the CPU follows
 * the group's niceness, not its processes': the group is given the same niceness, so the commands
 * yield to the server's thread as they did in its session. The kernel takes one such write per
 * 0.1 s for the whole machine without CAP_SYS_ADMIN (an agent's launch writes too): a refused one
 * is tried again, for 5 s at most. Without /proc/self/autogroup (autogroups off, another kernel)
 * there is nothing to set. Started in the server's session (an older server), it changes nothing.
 */
function niceAutogroup(triesLeft) {
  let current;
  try {
    // Only a group of its own: one shared with whoever started it (a session this process does not
    // lead) is theirs, and the write would slow them down with it.
    const session = Number(fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[3]);
    if (session !== process.pid) return;
    current = Number(/ nice (-?\d+)/.exec(fs.readFileSync("/proc/self/autogroup", "utf8"))?.[1] ?? 0);
  } catch {
    return;
  }
  if (current >= nice) return;
  try {
    fs.writeFileSync("/proc/self/autogroup", String(nice));
  } catch (error) {
    if (error.code === "EAGAIN" && triesLeft > 0) setTimeout(() => niceAutogroup(triesLeft - 1), 100).unref();
  }
}
niceAutogroup(50);

/** Keeps up to capBytes, counts the rest. */
function capped(capBytes) {
  const chunks = [];
  let kept = 0;
  let dropped = 0;
  return {
    push(chunk) {
      const room = capBytes - kept;
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept = capBytes;
      dropped += chunk.length - Math.max(room, 0);
    },
    bytes: () => Buffer.concat(chunks).toString("base64"),
    dropped: () => dropped,
  };
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Streamed commands held back until the server has read what was sent: memory stays bounded. */
const held = new Set();

function relay(child, message) {
  if (process.stdout.write(`${JSON.stringify(message)}\n`)) return;
  if (held.size === 0) {
    process.stdout.once("drain", () => {
      for (const each of held) {
        each.stdout.resume();
        each.stderr.resume();
      }
      held.clear();
    });
  }
  held.add(child);
  child.stdout.pause();
  child.stderr.pause();
}

/**
 * The processes below pid (its children, theirs, and so on), from each process's parent in /proc;
 * empty without /proc. Read only when a command is killed: a timeout or a stop, rare.
 */
function descendants(pid) {
  let names;
  try {
    names = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const childrenOf = new Map();
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, "latin1");
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": the command's name may hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ", 2)[1]);
    const list = childrenOf.get(parent);
    if (list) list.push(Number(name));
    else childrenOf.set(parent, [Number(name)]);
  }
  const below = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.shift()) ?? []) {
      below.push(child);
      queue.push(child);
    }
  }
  return below;
}

/** Ends a command started in a session (and so a process group) of its own, and all of that group. */
function killGroup(pid, name = "SIGKILL") {
  try {
    process.kill(-pid, name);
  } catch {
    // Gone already.
  }
}

/**
 * Ends a command and everything it started that is still below it. Most commands run in this
 * process's session and process group (see run()), with no group of their own to signal: the
 * tree is frozen first (SIGSTOP, again for what appears, until a listing finds nothing new), so
 * a process that keeps starting others cannot add one between the listing and the kill. A signal
 * other than SIGKILL is followed by SIGCONT, so the tree can handle it (a git removes its locks).
 */
function killTree(pid, name = "SIGKILL") {
  const signal = (each, name) => {
    try {
      process.kill(each, name);
    } catch {
      // Gone already.
    }
  };
  signal(pid, "SIGSTOP");
  let tree = [];
  for (let round = 0; round < 50; round += 1) {
    const found = descendants(pid);
    for (const each of found) signal(each, "SIGSTOP");
    const same = found.length === tree.length && found.every((each, index) => each === tree[index]);
    tree = found;
    if (same) break;
  }
  for (const each of [pid, ...tree]) signal(each, name);
  if (name !== "SIGKILL") for (const each of [pid, ...tree]) signal(each, "SIGCONT");
}

/** The running commands by request id, for {kill: id}. */
const running = new Map();

function run(request) {
  const { id, argv, cwd, env, stdin, timeoutMs, capBytes, drainMs, stream, ownSession } = request;
  let child;
  try {
    // In this process's session (its scheduling group has the work niceness, above), unless it may
    // ask a terminal for input (ownSession: a push whose ssh wants a passphrase fails at once
    // without one). A session of its own per command would be an autogroup of its own each, at
    // niceness 0 whatever this process's, as heavy as the server's whole group.
    child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"], detached: Boolean(ownSession), windowsHide: true });
  } catch (error) {
    reply({ id, exitCode: null, signal: null, stdout: "", stderr: "", stdoutDropped: 0, stderrDropped: 0, timedOut: false, startError: { code: error.code ?? "", message: String(error.message ?? error) } });
    return;
  }
  const out = capped(stream ? 0 : capBytes);
  const err = capped(stream ? 0 : capBytes);
  if (stream) {
    child.stdout.on("data", (chunk) => relay(child, { id, o: chunk.toString("base64") }));
    child.stderr.on("data", (chunk) => relay(child, { id, e: chunk.toString("base64") }));
  } else {
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
  }
  // Once it has exited (and Node has reaped it) its pid may be another process's: never signalled.
  let exited = false;
  child.once("exit", () => (exited = true));
  const stop = (name = "SIGKILL") => {
    if (child.pid === undefined || exited) return;
    if (ownSession) killGroup(child.pid, name);
    else killTree(child.pid, name);
  };
  if (child.pid !== undefined) running.set(id, stop);
  if (stdin !== undefined && child.stdin) {
    // A child that exits without reading its stdin gives EPIPE: not a failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  }
  // A background grandchild that inherited stdout must not hold the answer back forever.
  child.once("exit", () => {
    const drain = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, drainMs);
    child.once("close", () => clearTimeout(drain));
  });
  let timedOut = false;
  const timer =
    timeoutMs === undefined || timeoutMs === null
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stop();
        }, timeoutMs);
  let startError;
  child.on("error", (error) => {
    if (child.pid === undefined) startError = { code: error.code ?? "", message: String(error.message ?? error) };
  });
  child.on("close", (code, signal) => {
    clearTimeout(timer);
    running.delete(id);
    reply({ id, exitCode: code, signal, stdout: out.bytes(), stderr: err.bytes(), stdoutDropped: out.dropped(), stderrDropped: err.dropped(), timedOut, ...(startError ? { startError } : {}) });
  });
}

/**
 * A database's WAL checkpointer, in a worker thread of this process: every intervalMs a PASSIVE
 * checkpoint (it never waits for a lock) copies what the server committed into the database
 * file, so the server's own connections do not, inside a commit, on its event loop (server/db/
 * wal-checkpoint.ts). `module` is better-sqlite3's folder, which this bare process cannot find by
 * itself. A failure (a locked or full database, a file removed) is tried again at the next tick.
 */
const CHECKPOINTER = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const Database = require(workerData.module);
let db = null;
setInterval(() => {
  try {
    if (!fs.existsSync(workerData.file)) {
      if (db) db.close();
      db = null;
      return;
    }
    if (!db) db = new Database(workerData.file, { timeout: 0, fileMustExist: true });
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy, full or gone: the next tick tries again.
  }
}, workerData.intervalMs);
`;
const checkpointers = new Map();

function startCheckpointer({ file, module, intervalMs }) {
  if (checkpointers.has(file)) return;
  try {
    const { Worker } = require("node:worker_threads");
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, module, intervalMs } });
    worker.unref();
    worker.on("error", (error) => {
      checkpointers.delete(file);
      process.stderr.write(`spawner: the WAL checkpointer of ${file} stopped: ${error.message}\n`);
    });
    checkpointers.set(file, worker);
  } catch (error) {
    process.stderr.write(`spawner: the WAL checkpointer of ${file} could not start: ${error.message}\n`);
  }
}

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  buffered += text;
  for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 1);
    if (line.trim() === "") continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      process.stderr.write("spawner: a request that is not JSON was ignored\n");
      continue;
    }
    if (request.checkpoint !== undefined) {
      startCheckpointer(request.checkpoint);
      continue;
    }
    if (request.kill !== undefined) {
      running.get(request.kill)?.();
      continue;
    }
    run(request);
  }
});
const ORPHAN_GRACE_MS = 2000;
process.stdin.on("end", () => {
  // The answers of what still ends have nowhere to go: a write to the closed pipe is not an error here.
  process.stdout.on("error", () => undefined);
  if (running.size === 0) process.exit(0);
  setInterval(() => {
    if (running.size === 0) process.exit(0);
  }, 50);
  setTimeout(() => {
    for (const stop of running.values()) stop("SIGTERM");
    setTimeout(() => {
      for (const stop of running.values()) stop("SIGKILL");
      process.exit(0);
    }, 2000);
  }, ORPHAN_GRACE_MS);
});

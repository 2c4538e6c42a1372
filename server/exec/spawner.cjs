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
 * answer with nothing kept; {kill: id} ends a command's process group; {checkpoint: {file,
 * module, intervalMs}} starts the WAL checkpointer of a database (below). The server's end is
 * server/exec/spawner.ts.
 * When its stdin closes (the server exited) it exits; commands it started run on, as they would
 * have as the server's own children.
 */
"use strict";
const { spawn } = require("node:child_process");
const os = require("node:os");

// The niceness asked for (argv[2]), for this process and so for every command it starts; never
// lower than it already is (lowering needs privileges, and is not this process's to ask).
const nice = Math.min(19, Math.max(0, Math.trunc(Number(process.argv[2] ?? 0)) || 0));
try {
  if (nice > os.getPriority()) os.setPriority(nice);
} catch {
  // A system that refuses: the commands run at the server's priority, as before.
}

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

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** The running commands by request id, for {kill: id}. */
const running = new Map();

function run(request) {
  const { id, argv, cwd, env, stdin, timeoutMs, capBytes, drainMs, stream } = request;
  let child;
  try {
    child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"], detached: true, windowsHide: true });
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
  if (child.pid !== undefined) running.set(id, child.pid);
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
          if (child.pid !== undefined) killGroup(child.pid);
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
      const pid = running.get(request.kill);
      if (pid !== undefined) killGroup(pid);
      continue;
    }
    run(request);
  }
});
process.stdin.on("end", () => process.exit(0));

/**
 * The shell scripts behind detached runs, on every transport. Values are quoted by quote.ts; the
 * prompt and the environment travel on stdin, never in a command line, so no secret shows in `ps`
 * (the run script, which holds none, is in the launch script's text).
 */
import { randomBytes } from "node:crypto";
import { exportLines, shellJoin, shellQuote } from "./quote";

/** Every file of one detached run, derived from its log path (`.../run-12.log`). */
export interface DetachedFiles {
  dir: string;
  /** The agent's stdout. */
  out: string;
  err: string;
  /** Written (atomically) with the exit status when the agent ended. */
  exit: string;
  /** The run script's pid: alive while the run is. */
  pid: string;
  /** The agent's pid, leader of its own process group. */
  agentPid: string;
  /** The agent's process tree as the last signal found it (pid and start time a line), for the next. */
  agentTree: string;
  prompt: string;
  /** The agent's environment (mode 0600), emptied by the agent's shell once read, removed when the run ends. */
  env: string;
  /** The launch's login environment (`export -p`), for a run script that runs without a login shell. */
  loginEnv: string;
  script: string;
  /** The tmux window name. */
  name: string;
}

export function detachedFiles(logPath: string): DetachedFiles {
  const slash = logPath.lastIndexOf("/");
  if (slash <= 0 || !logPath.endsWith(".log")) throw new Error(`a detached run's log path must be absolute and end in .log: ${logPath}`);
  const base = logPath.slice(0, -".log".length);
  return {
    dir: logPath.slice(0, slash),
    out: logPath,
    err: `${base}.stderr.log`,
    exit: `${base}.exit`,
    pid: `${base}.pid`,
    agentPid: `${base}.agent-pid`,
    agentTree: `${base}.agent-tree`,
    prompt: `${base}.prompt`,
    env: `${base}.env`,
    loginEnv: `${base}.login-env`,
    script: `${base}.sh`,
    name: base.slice(slash + 1),
  };
}

/**
 * Becomes "$@" at niceness `nice` (absolute): the shell may already run above 0 (the local spawner
 * and tmux server run at AI_SLAVE_WORK_NICE), so its own niceness, field 19 of /proc/$$/stat, is
 * read without starting a process and `nice -n` raises it by the difference. A machine without
 * /proc counts from 0; one without nice(1) runs the agent as it is. `exec nice` keeps the pid
 * written first.
 */
function niceStart(nice: number): string {
  // Names of its own: the environment file sourced before may have set short ones.
  return [
    // The fields after the command's ")"; the 17th of them is the niceness.
    'ai_slave_own() { [ $# -ge 17 ] || return 0; shift 16; ai_slave_n=$1; }',
    'ai_slave_n=0',
    'if [ -r /proc/$$/stat ] && read -r ai_slave_s < /proc/$$/stat; then ai_slave_own ${ai_slave_s##*")"}; fi',
    'case $ai_slave_n in ""|*[!0-9-]*) ai_slave_n=0;; esac',
    `ai_slave_i=$((${nice} - ai_slave_n))`,
    'if [ "$ai_slave_i" -gt 0 ] && command -v nice >/dev/null 2>&1; then exec nice -n "$ai_slave_i" "$@"; fi',
    'exec "$@"',
  ].join("; ");
}

/**
 * Sets the niceness of the agent's autogroup, in the background. `setsid` makes the agent a session
 * of its own, and with the kernel's autogroup scheduling (on by default in most distributions) each
 * session is a scheduling group whose share of the CPU follows the group's niceness, not its
 * processes': an agent at nice 10 alone in its group would take as much CPU as the server's whole
 * group. Any process of the session may write the group's niceness (a higher one needs no
 * privilege); without CAP_SYS_ADMIN the kernel takes one such write per 0.1 s for the whole machine
 * and refuses the others (EAGAIN), so a subshell tries again for up to 5 s while the agent starts.
 * Without /proc/self/autogroup (autogroups off, another kernel) it does nothing.
 */
function autogroupNice(nice: number): string {
  const write = `{ echo ${nice} > /proc/self/autogroup; } 2>/dev/null`;
  return `if [ -w /proc/self/autogroup ] && ! ${write}; then (ai_slave_t=0; until ${write}; do ai_slave_t=$((ai_slave_t + 1)); [ "$ai_slave_t" -lt 50 ] || break; sleep 0.1; done) & fi`;
}

/**
 * The agent's shell, in a process group of its own: records its pid, reads the environment file
 * and empties it (a builtin: the agent's start waits for no process; the run script removes the
 * emptied file when the agent ends), then becomes the agent. With `exactEnv` it starts from an
 * empty environment, so the agent sees exactly the file's variables (the server's own, on this
 * machine); otherwise the file's variables are added to the login environment (a remote host's
 * PATH and HOME).
 */
function agentLauncher(files: DetachedFiles, argv: string[], exactEnv: boolean, nice: number): string {
  const level = Math.trunc(nice);
  const start = level > 0 ? `${autogroupNice(level)}; ${niceStart(level)}` : 'exec "$@"';
  // `true`, not `:`: a special builtin's failed redirection would end the shell. A file this user
  // may not write (made by another) is removed instead, as before.
  const inner = `echo $$ > "$1"; . "$2"; true 2>/dev/null > "$2" || rm -f -- "$2"; shift 2; ${start}`;
  return shellJoin(["setsid", "-w", ...(exactEnv ? ["env", "-i"] : []), "/bin/sh", "-c", inner, "sh", files.agentPid, files.env, ...argv]);
}

/**
 * Run by `sh` inside tmux. It survives the session's SIGHUP, runs the agent (agentLauncher)
 * with the prompt on stdin and each stream in its own file, then writes the exit status atomically.
 * Without `exactEnv` (another machine) it first takes the login environment the launch script
 * saved: a login shell in the pane would read the account's profile again, tens of milliseconds
 * (more with version managers) on the way to the agent's start.
 */
export function runScript(files: DetachedFiles, argv: string[], cwd: string, exactEnv: boolean, nice = 0): string {
  const q = shellQuote;
  const writeExit = (status: string) => `echo ${status} > ${q(`${files.exit}.tmp`)} && mv -f ${q(`${files.exit}.tmp`)} ${q(files.exit)}`;
  const removeEnv = `rm -f -- ${q(files.env)}${exactEnv ? "" : ` ${q(files.loginEnv)}`}`;
  return [
    "trap '' HUP",
    `echo $$ > ${q(files.pid)}`,
    ...(exactEnv ? [] : [`if [ -r ${q(files.loginEnv)} ]; then . ${q(files.loginEnv)}; true 2>/dev/null > ${q(files.loginEnv)}; fi`]),
    `cd -- ${q(cwd)} || { ${removeEnv}; ${writeExit("127")}; exit 127; }`,
    `printf 'AI-Slave: the agent of %s is running; its output goes to %s\\n' ${q(files.name)} ${q(files.out)}`,
    `${agentLauncher(files, argv, exactEnv, nice)} < ${q(files.prompt)} > ${q(files.out)} 2> ${q(files.err)} &`,
    "wait $!",
    // Not `status`: zsh has it as a read-only alias of $?.
    "code=$?",
    removeEnv,
    writeExit("$code"),
    `printf 'AI-Slave: the agent exited with status %s\\n' "$code"`,
    "",
  ].join("\n");
}

export function envFile(env: Record<string, string>): string {
  return `${exportLines(env).join("\n")}\n`;
}

/**
 * What the launch script reads on stdin: a random end marker, the environment file's lines, the
 * marker again, then the prompt. The marker (128 random bits, a new one each launch) cannot be
 * one of the file's lines; the shell copies those lines with `read` and `printf`, builtins, so no
 * process is started for them.
 */
export function launchStdin(env: Record<string, string>, prompt: string): string {
  const marker = `AI-SLAVE-ENV-END-${randomBytes(16).toString("hex")}`;
  return `${marker}\n${envFile(env)}${marker}\n${prompt}`;
}

/**
 * Makes the run folder (mode 0700, refused unless the login user owns it and its parent), writes
 * the environment file and prompt from stdin and the run script from its quoted text, empties the logs,
 * starts the run script in the task's tmux session (a new window when the session exists, e.g. a
 * user's terminal), waits until the agent runs and prints the agent's pid.
 * With `filesWritten` (this machine: the server wrote the files itself, server/exec/local-run-files.ts,
 * and waits for the agent's pid file itself) it only starts the run script: each process started
 * costs milliseconds on a small VM, and a task's start waits for every one of them.
 */
export function launchScript(input: { files: DetachedFiles; sessionName: string; cwd: string; scriptArgv: string[]; script: string; filesWritten?: boolean; saveLoginEnv?: boolean }): string {
  const { files, sessionName, cwd } = input;
  const q = shellQuote;
  const command = shellJoin(input.scriptArgv);
  const parent = files.dir.slice(0, files.dir.lastIndexOf("/")) || "/";
  // What tmux said when it could not start the run (shown only if no try succeeded).
  const tmuxErr = `${files.script}.tmux-err`;
  const writeFiles = [
    `mkdir -p -- ${q(files.dir)}`,
    `for d in ${q(parent)} ${q(files.dir)}; do [ -O "$d" ] || { echo "the run folder $d is not owned by $(id -un): refusing to write there" >&2; exit 1; }; done`,
    `chmod 700 -- ${q(parent)} ${q(files.dir)}`,
    // Each process costs milliseconds (more on a small VM): builtins wherever they do the job.
    `if [ -e ${q(files.exit)} ] || [ -e ${q(files.pid)} ] || [ -e ${q(files.agentPid)} ] || [ -e ${q(files.agentTree)} ]; then rm -f -- ${q(files.exit)} ${q(files.pid)} ${q(files.agentPid)} ${q(files.agentTree)}; fi`,
    "IFS= read -r env_end",
    `: > ${q(files.env)}`,
    `while IFS= read -r line && [ "$line" != "$env_end" ]; do printf '%s\n' "$line" >> ${q(files.env)}; done`,
    `cat > ${q(files.prompt)}`,
    `printf '%s' ${q(input.script)} > ${q(files.script)}`,
    // This shell's environment is the login shell's that started it: the run script takes it from here.
    ...(input.saveLoginEnv ? [`export -p > ${q(files.loginEnv)}`] : []),
    `: > ${q(files.out)}`,
    `: > ${q(files.err)}`,
  ];
  const waitForAgent = [
    "i=0",
    `while [ ! -s ${q(files.agentPid)} ] && [ ! -e ${q(files.exit)} ] && [ "$i" -lt 3000 ]; do sleep 0.02; i=$((i + 1)); done`,
    `[ -s ${q(files.pid)} ] || { rm -f -- ${q(files.env)}; echo 'the run script did not start in tmux' >&2; exit 1; }`,
    // The agent's pid on its machine (empty when it ended at once), read by a builtin.
    `p=; { read -r p < ${q(files.agentPid)}; } 2>/dev/null || true; echo "$p"`,
  ];
  return [
    "set -e",
    "umask 077",
    ...(input.filesWritten ? [] : writeFiles),
    // Two launches that both start the host's tmux server race for its socket: the loser's
    // client says "server exited unexpectedly" and made nothing. Try again, unless the run
    // script did start (its pid file), so it never runs twice.
    // A new session first (a task's first run); when the session exists, a window in it.
    "tries=0",
    `until tmux new-session -d -s ${q(sessionName)} -n ${q(files.name)} -c ${q(cwd)} ${q(command)} 2> ${q(tmuxErr)} ||`,
    `  tmux new-window -d -t ${q(`=${sessionName}:`)} -n ${q(files.name)} -c ${q(cwd)} ${q(command)} 2>> ${q(tmuxErr)}`,
    "do",
    "  tries=$((tries + 1))",
    `  sleep 0.3; [ -s ${q(files.pid)} ] && break`,
    `  [ "$tries" -lt 5 ] || { cat -- ${q(tmuxErr)} >&2; echo 'tmux could not start the run' >&2; exit 1; }`,
    "done",
    ...(input.filesWritten ? [] : waitForAgent),
  ].join("\n");
}

/**
 * Streams the agent's stdout (to stdout) and stderr (to stderr) from byte offsets, following the
 * files until the run script is gone; GNU tail's --pid does a last read before it exits. When the
 * follower stops for another reason (its parent gone), the next follow or catch-up reads the rest.
 * Arguments: out err exit pid outOffset errOffset.
 */
export const FOLLOW_SCRIPT = [
  'out=$1 err=$2 exitf=$3 pidf=$4 oo=$5 eo=$6',
  // Ends with the run, and also when whoever follows is gone (a crashed server leaves no orphan
  // behind) or the run folder was removed (a deleted task).
  // Each process started costs milliseconds of CPU on a small VM, and fifty runs may be followed
  // at once: the check uses builtins (`read`, not `cat`), and between checks the waiter waits for
  // the run script's end in one `tail --pid` (which checks it every 0.2 s without starting
  // anything), for 2 s at most, instead of a `sleep 0.2` five times a second. Without `timeout`,
  // before the pid is known, or when that wait fails (a tail without --pid), it sleeps 0.2 s.
  'alive() { [ -e "$exitf" ] && return 1; kill -0 "$PPID" 2>/dev/null || return 1; [ -e "$out" ] || return 1; p=; { read -r p < "$pidf"; } 2>/dev/null; [ -z "$p" ] && return 0; kill -0 "$p" 2>/dev/null; }',
  'if command -v timeout >/dev/null 2>&1; then waits=1; else waits=; fi',
  '( while alive; do if [ -n "$p" ] && [ -n "$waits" ]; then timeout 2 tail -s 0.2 --pid="$p" -f /dev/null 2>/dev/null || [ $? -eq 124 ] || sleep 0.2; else sleep 0.2; fi; done ) & w=$!',
  'tail -c "+$((oo + 1))" -s 0.2 --pid="$w" -F -- "$out" 2>/dev/null & t1=$!',
  'tail -c "+$((eo + 1))" -s 0.2 --pid="$w" -F -- "$err" >&2 2>/dev/null & t2=$!',
  // The run is over once the waiter is: how the tails ended does not matter, the catch-up reads the rest.
  'wait "$w"; wait "$t1"; wait "$t2"; exit 0',
].join("\n");

/**
 * Whatever of both files lies past the offsets, once; tail's own complaints (a deleted log) stay
 * out of the agent's streams. Arguments: out err outOffset errOffset.
 */
export const CATCH_UP_SCRIPT = 'tail -c "+$(($3 + 1))" -- "$1" 2>/dev/null; tail -c "+$(($4 + 1))" -- "$2" >&2 2>/dev/null; true';

/** The first bytes of both files, up to the offsets. Arguments: out err outOffset errOffset. */
export const PREFIX_SCRIPT = 'head -c "$3" -- "$1" 2>/dev/null; head -c "$4" -- "$2" >&2 2>/dev/null; true';

/**
 * The exit status, or nothing while the run goes on; `gone` when the run script is not alive and
 * left no status (tmux killed, host rebooted). Arguments: exit file, pid file.
 */
export const EXIT_STATUS_SCRIPT = [
  'if [ -e "$1" ]; then cat -- "$1"; exit 0; fi',
  'p=$(cat -- "$2" 2>/dev/null)',
  '{ [ -n "$p" ] && kill -0 "$p" 2>/dev/null; } || { [ -e "$1" ] && cat -- "$1" || echo gone; }',
  "true",
].join("\n");

/**
 * Signals the agent's whole process tree: its process group, and every descendant, also those
 * that moved to a group of their own. Arguments: agentPid file, signal, agentTree file.
 *
 * The tree is frozen first (SIGSTOP, again for what appears, until a listing finds nothing new):
 * a process that keeps starting others (a shell loop, a watcher) cannot add one between the
 * listing and the signal. The listing is one `ps` of all processes. What it found is written to
 * the agentTree file with each process's start time, and the next signal takes those that still
 * run as roots too: after SIGTERM ended the agent, a child in a session of its own that ignored
 * it has lost its parent (it is init's now) and no listing from the agent finds it. The start
 * time guards against a pid the system gave to another process meanwhile. Signalled, the tree is
 * thawed (SIGCONT), so each process acts on the signal (after SIGTERM it may clean up).
 */
export const SIGNAL_SCRIPT = [
  'p=$(cat -- "$1" 2>/dev/null); [ -n "$p" ] || exit 0',
  // The descendants of the pids given, from one listing of every process and its parent.
  "below() { ps -e -o pid= -o ppid= 2>/dev/null | awk -v roots=\"$*\" '{ kids[$2] = kids[$2] \" \" $1 } END { n = split(roots, q, \" \"); for (i = 1; i <= n; i++) { m = split(kids[q[i]], more, \" \"); for (j = 1; j <= m; j++) if (!(more[j] in seen)) { seen[more[j]] = 1; q[++n] = more[j]; print more[j] } } }'; }",
  // A process's start time (field 22 of /proc/<pid>/stat; its name, field 2, may hold spaces); empty without /proc.
  'started() { { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0; s=${s##*) }; set -- $s; echo "${20}"; }',
  'roots=$p',
  'if [ -s "$3" ]; then while read -r c t; do [ -n "$t" ] && [ "$c" != "$p" ] && [ "$(started "$c")" = "$t" ] && roots="$roots $c"; done < "$3"; fi',
  'kill -s STOP -- "-$p" 2>/dev/null',
  'for c in $roots; do kill -s STOP "$c" 2>/dev/null; done',
  'pids=; i=0',
  'while [ "$i" -lt 50 ]; do next=$(below $roots); for c in $next; do kill -s STOP "$c" 2>/dev/null; done; [ "$next" = "$pids" ] && break; pids=$next; i=$((i + 1)); done',
  'for c in $roots $pids; do echo "$c $(started "$c")"; done > "$3" 2>/dev/null',
  'kill -s "$2" -- "-$p" 2>/dev/null',
  'for c in $roots $pids; do kill -s "$2" "$c" 2>/dev/null; done',
  'kill -s CONT -- "-$p" 2>/dev/null',
  'for c in $roots $pids; do kill -s CONT "$c" 2>/dev/null; done',
  // After SIGKILL, until the group is gone (its members reaped), 3 s at most.
  'i=0; while [ "$2" = KILL ] && kill -s 0 -- "-$p" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done',
  "true",
].join("\n");

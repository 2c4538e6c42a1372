/**
 * The account's login environment, kept on the host: a login shell reads the profile, tens of
 * milliseconds with a bare one and hundreds with version managers (nvm, pyenv, conda), and every
 * command a task sends (worktree, launch, follow, commits, diff, health) started one. Once per
 * host and login shell, and again every few minutes, a login shell saves its environment (and
 * umask) to SAVED_LOGIN_ENV as `export` lines written by `sh` itself; commands then run in `sh`
 * with that file sourced (quote.ts loginShellArgv). A change to the profile reaches commands
 * within REFRESH_MS; until the file is written, or when it cannot be, the login shell runs as before.
 * Containers keep their login shell per command (their profile is the image's).
 */

import { SAVED_LOGIN_ENV } from "./quote";

/** How old the saved environment may get before a login shell saves it again (in the background). */
export const REFRESH_MS = 5 * 60_000;

/**
 * Run by `sh` started from the login shell, so it holds the login environment. What belongs to one
 * SSH session (its address, agent socket, tty) or to this shell is left out: each command's own
 * session gives its own. Written to a file of this save's own and renamed, so a command reads the
 * old file or the new one, whole, also while another server saves the same account's.
 */
export const SAVE_LOGIN_ENV_SCRIPT = [
  "u=$(umask)",
  "umask 077",
  `f="${SAVED_LOGIN_ENV}"`,
  'd="${f%/*}"',
  'mkdir -p -- "$d" && [ -O "$d" ] && chmod 700 -- "$d" || exit 1',
  "unset PWD OLDPWD SHLVL _ SSH_CLIENT SSH_CONNECTION SSH_TTY SSH_AUTH_SOCK SSH_ORIGINAL_COMMAND XDG_SESSION_ID 2>/dev/null || true",
  '{ export -p && echo "umask $u"; } > "$f.$$" && mv -f -- "$f.$$" "$f" || { rm -f -- "$f.$$"; exit 1; }',
].join("\n");

interface Saved {
  /** When the file was last written by this process (0: never). */
  at: number;
  ok: boolean;
  saving: Promise<boolean> | null;
}

const hosts = new Map<string, Saved>();

/**
 * Whether commands for `key` (a host and login shell) may run in the saved environment. The first
 * command of a host waits for the save; later ones use the file while a stale one is saved again.
 */
export async function savedLoginEnv(key: string, save: () => Promise<boolean>, now = Date.now()): Promise<boolean> {
  let entry = hosts.get(key);
  if (!entry) {
    entry = { at: 0, ok: false, saving: null };
    hosts.set(key, entry);
  }
  const current = entry;
  if (current.at > 0 && now - current.at < REFRESH_MS) return current.ok;
  current.saving ??= save()
    .catch(() => false)
    .then((ok) => {
      current.at = Date.now();
      current.ok = ok;
      current.saving = null;
      return ok;
    });
  // Never saved here: wait for it. Saved before: go on with the file while it is saved again.
  return current.at === 0 ? current.saving : current.ok;
}

/** Forgets what was saved (tests; a host whose account changed). */
export function forgetSavedLoginEnvs(): void {
  hosts.clear();
}

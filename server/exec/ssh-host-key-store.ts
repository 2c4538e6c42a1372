import "server-only";
import { settings } from "@/server/settings";
import type { HostKeyStore, PinnedHostKey } from "./ssh-host-key";

/** Setting key of a pinned host key: `hostKey.<host>:<port>`. */
export const hostKeySettingKey = (hostPort: string): string => `hostKey.${hostPort}`;

/** Pinned host keys live in the Setting table, where the UI can show and forget them. */
export const settingsHostKeyStore: HostKeyStore = {
  get: (hostPort) => settings.hostKey(hostPort),
  set: (hostPort, value) => settings.setHostKey(hostPort, value),
};

/** The key pinned for a host, for display; null when none was pinned (or known_hosts vouches for it). */
export function pinnedHostKey(host: string, port: number): Promise<PinnedHostKey | null> {
  return settingsHostKeyStore.get(`${host}:${port}`);
}
